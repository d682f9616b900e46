package dev.capstan.engine;

import dev.capstan.spi.GroupStatus;
import dev.capstan.spi.ScalingAction;
import dev.capstan.spi.Target;
import dev.capstan.spi.TargetGroup;
import dev.capstan.spi.TargetStatus;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/** A one-group target for engine tests: counts reads, lets a test set meta and hook into scale calls. */
final class RecordingTarget implements Target {
  final AtomicLong count = new AtomicLong();
  final AtomicInteger statusCalls = new AtomicInteger();
  final AtomicInteger statusOfCalls = new AtomicInteger();
  final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
  final List<ScalingAction> scaled = new CopyOnWriteArrayList<>();
  volatile Map<String, String> meta = Map.of();
  volatile Consumer<ScalingAction> onScale = a -> { };

  RecordingTarget(long count) {
    this.count.set(count);
  }

  @Override
  public TargetStatus status(Map<String, String> config) {
    statusCalls.incrementAndGet();
    return new TargetStatus(true, count.get(), meta);
  }

  @Override
  public void scale(ScalingAction action, Map<String, String> config) {
    onScale.accept(action);
    scaled.add(action);
    count.set(action.count());
  }

  @Override
  public List<GroupStatus> statusOf(List<? extends TargetGroup> groups) {
    statusOfCalls.incrementAndGet();
    batchSizes.add(groups.size());
    return Target.super.statusOf(groups);
  }

  @Override
  public void close() {}
}
