package io.fairlead.policies;

/** Where an effective setting came from, strongest first. */
public enum Provenance {
  PORT_ANNOTATION("per-port annotation"),
  ANNOTATION("Service annotation"),
  NATIVE_FIELD("native Service field"),
  DEFAULT("default");

  private final String words;

  Provenance(String words) {
    this.words = words;
  }

  public String words() {
    return words;
  }
}
