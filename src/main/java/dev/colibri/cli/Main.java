package dev.colibri.cli;

import picocli.CommandLine;

/**
 * Entry point of {@code colibri.jar}. No arguments (or {@code serve}) runs the MCP server over
 * stdio; the other subcommands are the human CLI over the same services.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (0 success, 1 a failed check, 2 a usage or setup error). */
    public static int run(String... args) {
        String[] effective = args.length == 0 ? new String[] {"serve"} : args;
        CommandLine cli = new CommandLine(new RootCommand());
        cli.setExecutionExceptionHandler(new ErrorHandler());
        documentExitCodes(cli);
        return cli.execute(effective);
    }

    /** Every command's help ends with the exit codes, which are the same for all of them. */
    private static void documentExitCodes(CommandLine command) {
        command.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(Exit.helpList());
        command.getSubcommands().values().forEach(Main::documentExitCodes);
    }
}
