package dev.colibri.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/** A run as a JUnit XML report, one {@code testcase} per step, for CI systems that read those. */
final class JunitReport {

    private JunitReport() {
    }

    /** Writes the report of a run of the script named {@code suite} (its file name without .json). */
    static void write(Path file, String suite, Instant startedAt, List<StepResult> results) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            XMLStreamWriter xml = XMLOutputFactory.newFactory().createXMLStreamWriter(out, "UTF-8");
            xml.writeStartDocument("UTF-8", "1.0");
            xml.writeCharacters("\n");
            xml.writeStartElement("testsuite");
            xml.writeAttribute("name", suite);
            xml.writeAttribute("tests", String.valueOf(results.size()));
            xml.writeAttribute("failures", String.valueOf(count(results, StepResult.Status.FAILED)));
            xml.writeAttribute("errors", "0");
            xml.writeAttribute("skipped", String.valueOf(count(results, StepResult.Status.SKIPPED)));
            xml.writeAttribute("time", seconds(results.stream().mapToLong(StepResult::millis).sum()));
            xml.writeAttribute("timestamp", startedAt.truncatedTo(ChronoUnit.SECONDS).toString());
            for (StepResult r : results) {
                testcase(xml, suite, r);
            }
            xml.writeCharacters("\n");
            xml.writeEndElement();
            xml.writeCharacters("\n");
            xml.writeEndDocument();
            xml.close();
        } catch (XMLStreamException e) {
            throw new IOException("cannot write the JUnit report " + file + ": " + e.getMessage(), e);
        }
    }

    private static void testcase(XMLStreamWriter xml, String suite, StepResult r) throws XMLStreamException {
        xml.writeCharacters("\n  ");
        xml.writeStartElement("testcase");
        xml.writeAttribute("classname", "colibri.script." + suite);
        xml.writeAttribute("name", String.format(Locale.ROOT, "%02d %s", r.number(), r.title())
                + (r.name() == null ? "" : " - " + r.name()));
        xml.writeAttribute("time", seconds(r.millis()));
        switch (r.status()) {
            case FAILED -> {
                xml.writeCharacters("\n    ");
                xml.writeStartElement("failure");
                xml.writeAttribute("message", r.where() + ": " + r.failures().get(0));
                xml.writeAttribute("type", "expectation");
                xml.writeCharacters(String.join("\n", r.failures()));
                xml.writeEndElement();
                xml.writeCharacters("\n  ");
            }
            case SKIPPED -> {
                xml.writeCharacters("\n    ");
                xml.writeEmptyElement("skipped");
                xml.writeAttribute("message", "not run: an earlier step failed");
                xml.writeCharacters("\n  ");
            }
            default -> {
                if (!r.detail().isEmpty()) {
                    xml.writeCharacters("\n    ");
                    xml.writeStartElement("system-out");
                    xml.writeCharacters(r.detail());
                    xml.writeEndElement();
                    xml.writeCharacters("\n  ");
                }
            }
        }
        xml.writeEndElement();
    }

    private static long count(List<StepResult> results, StepResult.Status status) {
        return results.stream().filter(r -> r.status() == status).count();
    }

    private static String seconds(long millis) {
        return String.format(Locale.ROOT, "%.3f", millis / 1000.0);
    }
}
