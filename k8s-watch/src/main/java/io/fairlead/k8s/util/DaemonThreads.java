package io.fairlead.k8s.util;

import java.util.concurrent.ThreadFactory;

/**
 * Fairlead's background threads: named (they show in thread dumps as {@code fairlead-...}) and
 * daemon, so that none of them keeps a finished JVM alive.
 */
public final class DaemonThreads {

  private DaemonThreads() {}

  /** A factory of daemon threads that all get this name, for executors. */
  public static ThreadFactory named(String name) {
    return task -> {
      Thread t = new Thread(task, name);
      t.setDaemon(true);
      return t;
    };
  }

  /** Starts one daemon thread running the task. */
  public static Thread start(String name, Runnable task) {
    Thread t = named(name).newThread(task);
    t.start();
    return t;
  }
}
