package io.fairlead.policies;

/**
 * A port's access log, as {@code fairlead.io/access-log} says: {@code ON} follows the control
 * plane's format ({@code serve --access-log}), {@code OFF} logs nothing for the port.
 */
public enum AccessLog {
  ON,
  OFF
}
