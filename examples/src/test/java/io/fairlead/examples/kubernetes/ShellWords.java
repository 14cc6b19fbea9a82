package io.fairlead.examples.kubernetes;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Splits the one-line `sh -c` scripts of the bootstrap init containers into words the way sh would:
 * blanks separate words, double quotes group, ${NAME} expands, and a bare > is a word of its own.
 * Anything more (single quotes, command substitution, pipes) is refused rather than guessed at.
 */
final class ShellWords {

  private ShellWords() {}

  static List<String> split(String script, Map<String, String> env) {
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    boolean inWord = false;
    boolean quoted = false;
    for (int i = 0; i < script.length(); i++) {
      char c = script.charAt(i);
      if (c == '"') {
        quoted = !quoted;
        inWord = true;
      } else if (c == '$') {
        int end = script.indexOf('}', i);
        if (i + 1 >= script.length() || script.charAt(i + 1) != '{' || end < 0) {
          throw new IllegalArgumentException("only ${NAME} expansions are supported: " + script);
        }
        String name = script.substring(i + 2, end);
        String value = env.get(name);
        if (value == null) {
          throw new IllegalArgumentException("${" + name + "} is not set in the container's env");
        }
        word.append(value);
        inWord = true;
        i = end;
      } else if ("'`|;&<\\".indexOf(c) >= 0) {
        throw new IllegalArgumentException("unsupported shell syntax '" + c + "' in: " + script);
      } else if (!quoted && Character.isWhitespace(c)) {
        if (inWord) {
          words.add(word.toString());
          word.setLength(0);
          inWord = false;
        }
      } else {
        word.append(c);
        inWord = true;
      }
    }
    if (quoted) {
      throw new IllegalArgumentException("unterminated quote in: " + script);
    }
    if (inWord) {
      words.add(word.toString());
    }
    return words;
  }
}
