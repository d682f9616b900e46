package dev.capstan.target.gcp;

import dev.capstan.spi.InstanceTargetGroup;
import dev.capstan.spi.ScalingAction;
import dev.capstan.spi.TargetStatus;
import java.util.List;
import java.util.Optional;

/**
 * One managed instance group bound by {@link GceMigTarget#bind}: its target block parsed once into a
 * {@link MigRef}; every call goes to the target that bound it.
 */
final class MigGroup implements InstanceTargetGroup {
  private final GceMigTarget target;
  private final MigRef ref;
  private final String id;

  MigGroup(GceMigTarget target, MigRef ref) {
    this.target = target;
    this.ref = ref;
    // Zone and region names never collide (a zone is its region plus "-<letter>"), so one form serves both.
    this.id = "gce-mig:" + ref.project() + "/" + ref.location() + "/" + ref.name();
  }

  MigRef ref() {
    return ref;
  }

  /** Returns whether {@code target} bound this group, so its batched read may include it. */
  boolean boundBy(GceMigTarget target) {
    return this.target == target;
  }

  /** Returns {@code gce-mig:<project>/<zone or region>/<name>}. */
  @Override
  public String id() {
    return id;
  }

  @Override
  public TargetStatus status() {
    return target.read(ref);
  }

  @Override
  public void scale(ScalingAction action) {
    target.resize(ref, action);
  }

  @Override
  public void terminate(List<String> instanceIds) {
    target.delete(ref, instanceIds);
  }

  @Override
  public Optional<List<String>> instanceIds() {
    return target.liveInstances(ref);
  }

  @Override
  public String toString() {
    return id;
  }
}
