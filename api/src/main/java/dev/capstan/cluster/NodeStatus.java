package dev.capstan.cluster;

/** A node's status as its scheduler reports it. */
public enum NodeStatus {
  /** Registered but not yet running work. */
  INITIALIZING,
  /** Running and able to take work. */
  READY,
  /** Lost contact with the scheduler; a candidate for purging. */
  DOWN,
  /** Temporarily out of contact. */
  DISCONNECTED
}
