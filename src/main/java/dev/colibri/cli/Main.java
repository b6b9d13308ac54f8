package dev.colibri.cli;

import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * Entry point of {@code colibri.jar}. No arguments (or {@code serve}) runs the MCP server over
 * stdio, started directly: the command-line parser (whose classes the JVM can neither archive nor
 * verify quickly) is only built for the other subcommands, the human CLI over the same services,
 * and for {@code serve} with options such as {@code --help}.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (0 success, 1 a failed check, 2 a usage or setup error). */
    public static int run(String... args) {
        if (args.length == 0 || args.length == 1 && "serve".equals(args[0])) {
            try {
                return ServeCommand.serve();
            } catch (Exception e) {
                return ErrorHandler.report(e, new PrintWriter(System.err, true));
            }
        }
        CommandLine cli = new CommandLine(new RootCommand());
        cli.setExecutionExceptionHandler(new ErrorHandler());
        documentExitCodes(cli);
        return cli.execute(args);
    }

    /** Every command's help ends with the exit codes, which are the same for all of them. */
    private static void documentExitCodes(CommandLine command) {
        command.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(Exit.helpList());
        command.getSubcommands().values().forEach(Main::documentExitCodes);
    }
}
