package dev.capstan.agent;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Installs a SIGHUP handler through {@code sun.misc.Signal} when the JVM offers it. Reached by
 * reflection because the class is unsupported API: compiling against it warns, and some JVMs or
 * platforms (Windows has no SIGHUP) do not have it; then the agent simply relies on file watching.
 */
final class Signals {
  private static final Logger LOG = LoggerFactory.getLogger(Signals.class);

  private Signals() {}

  /**
   * Returns what a SIGHUP runs: {@code action}, logged, with an exception it throws logged too, so the
   * signal thread and the handler survive a failed reload.
   */
  static Runnable hangupHandler(Runnable action) {
    return () -> {
      try {
        LOG.info("SIGHUP: reloading");
        action.run();
      } catch (RuntimeException e) {
        LOG.error("reload on SIGHUP failed: {}", e.toString(), e);
      }
    };
  }

  /**
   * Runs {@code action} on every SIGHUP; an exception it throws is logged, and the handler stays.
   *
   * @return whether the handler could be installed
   */
  static boolean onHangup(Runnable action) {
    Runnable onSignal = hangupHandler(action);
    try {
      Class<?> signal = Class.forName("sun.misc.Signal");
      Class<?> handler = Class.forName("sun.misc.SignalHandler");
      Object hangup = signal.getConstructor(String.class).newInstance("HUP");
      Object proxy = Proxy.newProxyInstance(Signals.class.getClassLoader(), new Class<?>[] {handler},
          (self, method, args) -> {
            if (method.getName().equals("handle")) {
              onSignal.run();
              return null;
            }
            return switch (method.getName()) {
              case "hashCode" -> System.identityHashCode(self);
              case "equals" -> self == args[0];
              default -> "SIGHUP handler";
            };
          });
      Method handle = signal.getMethod("handle", signal, handler);
      handle.invoke(null, hangup, proxy);
      return true;
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      LOG.debug("SIGHUP handling is not available here: {}", e.toString());
      return false;
    }
  }
}
