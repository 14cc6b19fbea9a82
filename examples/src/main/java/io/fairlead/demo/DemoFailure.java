package io.fairlead.demo;

/**
 * Something the demo shows did not hold, or the demo could not set itself up; the message says
 * what.
 */
public final class DemoFailure extends Exception {

  public DemoFailure(String message) {
    super(message);
  }

  public DemoFailure(String message, Throwable cause) {
    super(message, cause);
  }
}
