package dev.sett.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * The largest heap in use right after a collection while it is open: the live data an engine
 * holds at its peak, not the garbage it leaves between collections.
 */
final class HeapWatch implements AutoCloseable {
  private final AtomicLong peak = new AtomicLong();
  private final Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
      .filter(pool -> pool.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName)
      .collect(Collectors.toSet());
  private final List<NotificationEmitter> emitters = new ArrayList<>();
  private final NotificationListener listener = (notification, handback) -> {
    if (!"com.sun.management.gc.notification".equals(notification.getType())) {
      return;
    }
    CompositeData info = (CompositeData) notification.getUserData();
    CompositeData gcInfo = (CompositeData) info.get("gcInfo");
    Map<?, ?> after = (Map<?, ?>) javax.management.openmbean.TabularData.class.cast(
        gcInfo.get("memoryUsageAfterGc")).values().stream()
        .map(CompositeData.class::cast)
        .collect(Collectors.toMap(row -> row.get("key"), row -> row.get("value")));
    long used = 0;
    for (Map.Entry<?, ?> entry : after.entrySet()) {
      if (heapPools.contains((String) entry.getKey())) {
        used += MemoryUsage.from((CompositeData) entry.getValue()).getUsed();
      }
    }
    peak.accumulateAndGet(used, Math::max);
  };

  HeapWatch() {
    for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof NotificationEmitter emitter) {
        emitter.addNotificationListener(listener, null, null);
        emitters.add(emitter);
      }
    }
  }

  long peakAfterGc() {
    return peak.get();
  }

  @Override
  public void close() {
    for (NotificationEmitter emitter : emitters) {
      try {
        emitter.removeNotificationListener(listener);
      } catch (javax.management.ListenerNotFoundException e) {
        // already gone
      }
    }
  }
}
