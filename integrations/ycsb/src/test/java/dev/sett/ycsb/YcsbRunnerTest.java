package dev.sett.ycsb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Every workload file runs in-process, small, on both engines, without a failed operation. */
class YcsbRunnerTest {

  @Test
  void everyWorkloadRunsOnSettAndOnRocksDb() throws Exception {
    for (String engine : new String[] {"sett", "rocksdb"}) {
      for (String workload : YcsbRunner.WORKLOADS) {
        YcsbRunner.Result result = YcsbRunner.runWorkload(engine, Path.of("workloads", workload), 1_000, 1_000, 2);
        assertEquals(0, result.errors(), engine + " " + workload + " had failed operations");
        assertTrue(result.opsPerSecond() > 0 && result.p99Micros() > 0, result.toString());
      }
    }
  }
}
