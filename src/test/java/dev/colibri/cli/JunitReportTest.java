package dev.colibri.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JunitReportTest {

    @TempDir
    Path tmp;

    @Test
    void writesOneTestcasePerStepWithFailuresAndSkipsEscaped() throws Exception {
        Path file = tmp.resolve("reports/run.xml");
        List<StepResult> results = List.of(
                new StepResult(0, "server start", null, StepResult.Status.PASSED, 1200, "pid 7", List.of()),
                new StepResult(1, "backup_verify", "is it <safe>?", StepResult.Status.FAILED, 45, "",
                        List.of("safe_to_restore: expected true, got false", "checks[0].status: expected \"ok\", got \"fail\"")),
                new StepResult(2, "merkle_root", null, StepResult.Status.SKIPPED, 0, "", List.of()));
        JunitReport.write(file, "drill", Instant.parse("2026-11-28T04:00:00.5Z"), results);
        assertEquals("""
                <?xml version="1.0" encoding="UTF-8"?>
                <testsuite name="drill" tests="3" failures="1" errors="0" skipped="1" time="1.245" \
                timestamp="2026-11-28T04:00:00Z">
                  <testcase classname="colibri.script.drill" name="00 server start" time="1.200">
                    <system-out>pid 7</system-out>
                  </testcase>
                  <testcase classname="colibri.script.drill" name="01 backup_verify - is it &lt;safe&gt;?" time="0.045">
                    <failure message="step 1 (backup_verify): safe_to_restore: expected true, got false" \
                type="expectation">safe_to_restore: expected true, got false
                checks[0].status: expected "ok", got "fail"</failure>
                  </testcase>
                  <testcase classname="colibri.script.drill" name="02 merkle_root" time="0.000">
                    <skipped message="not run: an earlier step failed"/>
                  </testcase>
                </testsuite>
                """, Files.readString(file));
    }
}
