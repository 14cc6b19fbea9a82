package io.fairlead.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** docs/operations.md has a row for every option of the commands it tabulates. */
class CliDocsTest {

  private static final Set<String> EVERYWHERE = Set.of("--help", "--version", "--debug");

  @Test
  void everyOptionOfServeTranslateAndExplainIsDocumented() throws Exception {
    String docs = Files.readString(Path.of("..", "docs", "operations.md"));
    CommandLine cli = Main.commandLine();
    for (String command : List.of("serve", "translate", "explain")) {
      for (OptionSpec option : cli.getSubcommands().get(command).getCommandSpec().options()) {
        if (option.hidden() || EVERYWHERE.contains(option.longestName())) {
          continue;
        }
        String name = option.longestName();
        String negatable = "`--[no-]" + name.substring(2) + "`";
        assertThat(
                docs.contains("`" + name + "`") || (option.negatable() && docs.contains(negatable)))
            .as(command + " " + name + " in docs/operations.md")
            .isTrue();
      }
    }
  }
}
