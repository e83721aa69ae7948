// SPDX-License-Identifier: Apache-2.0
package dev.ipcbus.demo;

import dev.ipcbus.BackpressureTimeoutException;
import dev.ipcbus.BusException;
import dev.ipcbus.ConfigurationException;
import dev.ipcbus.MessageTooLargeException;
import dev.ipcbus.NoResponderException;
import dev.ipcbus.RequestTimeoutException;
import dev.ipcbus.ResponderFailedException;
import dev.ipcbus.ResponderGoneException;
import dev.ipcbus.TransportUnavailableException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The {@code ipcbus-demo} command line.
 * <p>
 * Run: {@code ./ipcbus-demo tour} from the repository root (builds the jar on first use), or
 * {@code java -jar demo/target/ipcbus-demo.jar <command>}. Every command takes {@code --transport URI}; without it the
 * URI comes from the system property {@code ipcbus.uri}, the environment variable {@code IPCBUS_URI}, or the default
 * {@code filemap://default}.
 * <p>
 * Exit codes: 0 success; 1 failure at run time; 2 bad usage or configuration; 3 transport unavailable on this OS;
 * 4 no responder, request timeout or responder failure.
 */
@Command(name = "ipcbus-demo",
    mixinStandardHelpOptions = true,
    versionProvider = IpcbusDemo.Version.class,
    description = "Demo and tools for ipcbus, the message bus for processes on one machine.",
    subcommands = {
        TourCommand.class,
        PublishCommand.class,
        SubscribeCommand.class,
        RequestCommand.class,
        RespondCommand.class,
        PingCommand.class,
        PongCommand.class,
        ThroughputCommand.class,
        SinkCommand.class,
        StatCommand.class,
        BusesCommand.class,
        CleanCommand.class,
        BridgeCommand.class,
        TourNodeCommand.class,
        CommandLine.HelpCommand.class})
public final class IpcbusDemo implements Runnable {
    /** Exit code: bad usage or configuration. */
    public static final int EXIT_USAGE = 2;
    /** Exit code: the transport cannot run here. */
    public static final int EXIT_UNAVAILABLE = 3;
    /** Exit code: no responder, timeout or responder failure. */
    public static final int EXIT_NO_REPLY = 4;

    private static final Map<String, String> EXIT_CODES = exitCodes();

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    /**
     * Prints the usage when no command is given.
     */
    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * @param args the command line.
     */
    public static void main(final String[] args) {
        System.exit(execute(args));
    }

    /**
     * Runs a command line and returns its exit code (for tests).
     *
     * @param args the command line.
     * @return the exit code.
     */
    public static int execute(final String... args) {
        final CommandLine commandLine = new CommandLine(new IpcbusDemo());
        commandLine.setExecutionExceptionHandler(IpcbusDemo::handleError);
        describeExitCodes(commandLine);
        return commandLine.execute(args);
    }

    /** The exit codes, in the help of the tool and of every command. */
    private static void describeExitCodes(final CommandLine commandLine) {
        commandLine.getCommandSpec().usageMessage()
            .exitCodeListHeading("%nExit codes:%n")
            .exitCodeList(EXIT_CODES);
        commandLine.getSubcommands().values().forEach(IpcbusDemo::describeExitCodes);
    }

    private static Map<String, String> exitCodes() {
        final Map<String, String> codes = new LinkedHashMap<>();
        codes.put("0", "success (subscribe/respond: also when standard output was closed, e.g. | head)");
        codes.put("1", "failure at run time (subscribe --count not reached within --timeout)");
        codes.put("2", "bad usage or configuration (unknown option, malformed URI, bad duration)");
        codes.put("3", "the transport cannot run on this OS");
        codes.put("4", "no responder, request timed out, or the responder failed or died");
        codes.put("130", "interrupted (Ctrl-C); the node is closed on the way out");
        return Collections.unmodifiableMap(codes);
    }

    private static int handleError(
        final Exception exception, final CommandLine commandLine, final CommandLine.ParseResult parseResult) {
        Throwable error = exception;
        while ((error instanceof CompletionException || error instanceof ExecutionException)
            && error.getCause() != null) {
            error = error.getCause();
        }
        final PrintWriter err = commandLine.getErr();
        err.println("ipcbus-demo: " + describe(error));
        err.flush();
        if (Boolean.getBoolean("ipcbus.demo.stacktrace")) {
            error.printStackTrace(err);
        }
        return exitCode(error);
    }

    static String describe(final Throwable error) {
        if (error instanceof TransportUnavailableException) {
            return "transport unavailable: " + error.getMessage();
        }
        if (error instanceof ConfigurationException) {
            return "configuration error: " + error.getMessage();
        }
        if (error instanceof NoResponderException || error instanceof RequestTimeoutException
            || error instanceof ResponderFailedException || error instanceof ResponderGoneException
            || error instanceof BackpressureTimeoutException || error instanceof MessageTooLargeException) {
            return error.getMessage();
        }
        if (error instanceof BusException || error instanceof IllegalArgumentException
            || error instanceof IllegalStateException) {
            return "error: " + error.getMessage();
        }
        return "unexpected error: " + error + " (set -Dipcbus.demo.stacktrace=true for the stack trace)";
    }

    static int exitCode(final Throwable error) {
        if (error instanceof TransportUnavailableException) {
            return EXIT_UNAVAILABLE;
        }
        if (error instanceof ConfigurationException || error instanceof IllegalArgumentException) {
            return EXIT_USAGE;
        }
        if (error instanceof NoResponderException || error instanceof RequestTimeoutException
            || error instanceof ResponderFailedException || error instanceof ResponderGoneException) {
            return EXIT_NO_REPLY;
        }
        return 1;
    }

    /**
     * Reads the version from the jar manifest.
     */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            final String version = IpcbusDemo.class.getPackage().getImplementationVersion();
            return new String[] {"ipcbus-demo " + (version == null ? "(development build)" : version),
                "Java " + System.getProperty("java.version") + " on " + System.getProperty("os.name") + " "
                    + System.getProperty("os.arch")};
        }
    }
}
