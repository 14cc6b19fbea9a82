package io.fairlead.k8s;

/**
 * A source cannot be used at all (missing directory, unreadable manifest). The message is one line.
 */
public final class KubeSourceException extends Exception {

  public KubeSourceException(String message) {
    super(oneLine(message));
  }

  public KubeSourceException(String message, Throwable cause) {
    super(oneLine(message), cause);
  }

  static String oneLine(String text) {
    return text == null ? "" : text.strip().replaceAll("\\s*\\R\\s*", " ");
  }
}
