package dev.capstan.cluster;

/**
 * An amount of CPU and memory.
 *
 * @param cpuMhz CPU in MHz, at least 0
 * @param memoryMb memory in MiB, at least 0
 */
public record Resources(long cpuMhz, long memoryMb) {
  /** No resources. */
  public static final Resources NONE = new Resources(0, 0);

  /**
   * Validates.
   *
   * @param cpuMhz CPU in MHz, at least 0
   * @param memoryMb memory in MiB, at least 0
   * @throws IllegalArgumentException if either amount is negative
   */
  public Resources {
    if (cpuMhz < 0 || memoryMb < 0) {
      throw new IllegalArgumentException("resources must not be negative, but were cpu " + cpuMhz
          + " MHz, memory " + memoryMb + " MiB");
    }
  }
}
