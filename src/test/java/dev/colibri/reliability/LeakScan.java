package dev.colibri.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Searches everything a run produced (files in the workspace and cold tier, every captured
 * stdout/stderr stream and tool result text) for the HMAC key: its raw bytes, hex (both cases) and
 * base64 (standard and URL-safe, with and without padding).
 */
final class LeakScan {

    /** What was searched and what was found. */
    record Result(int keys, long files, long fileBytes, long streams, long streamBytes, List<String> hits) {
    }

    private final Map<String, byte[]> patterns = new LinkedHashMap<>();
    private final Set<Path> keyFiles = new LinkedHashSet<>();
    private final Set<Path> dirs = new LinkedHashSet<>();
    private final Map<String, byte[]> streams = new LinkedHashMap<>();
    private int keys;

    /** Adds the key stored in {@code keyFile} (ignored when the file does not exist). */
    LeakScan key(Path keyFile) {
        if (!Files.isRegularFile(keyFile) || !keyFiles.add(keyFile.toAbsolutePath())) {
            return this;
        }
        try {
            return keyBytes(Files.readAllBytes(keyFile));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    LeakScan keyBytes(byte[] key) {
        keys++;
        String n = "key" + keys;
        patterns.put(n + " raw", key.clone());
        String hex = HexFormat.of().formatHex(key);
        patterns.put(n + " hex", hex.getBytes(StandardCharsets.US_ASCII));
        patterns.put(n + " HEX", hex.toUpperCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
        patterns.put(n + " base64", Base64.getEncoder().withoutPadding().encode(key));
        patterns.put(n + " base64url", Base64.getUrlEncoder().withoutPadding().encode(key));
        return this;
    }

    /** Every regular file below {@code dir} (not following links) is searched. */
    LeakScan dir(Path dir) {
        if (dir != null) {
            dirs.add(dir);
        }
        return this;
    }

    LeakScan stream(String name, byte[] bytes) {
        streams.put(name + "#" + streams.size(), bytes);
        return this;
    }

    LeakScan stream(String name, String text) {
        return stream(name, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Adds every stream a raw server captured (stdout, stderr). */
    LeakScan server(RawServer s) {
        stream("stdout of " + s.label(), s.stdoutBytes());
        stream("stderr of " + s.label(), s.stderrBytes());
        return this;
    }

    Result run() {
        List<String> hits = new ArrayList<>();
        long[] files = new long[2];
        for (Path dir : dirs) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try {
                Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                        if (attrs.isRegularFile() && !keyFiles.contains(file.toAbsolutePath())) {
                            byte[] content;
                            try {
                                content = Files.readAllBytes(file);
                            } catch (IOException e) {
                                return FileVisitResult.CONTINUE; // removed while walking (a temporary)
                            }
                            files[0]++;
                            files[1] += content.length;
                            search(file.toString(), content, hits);
                        }
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException exc) {
                        return FileVisitResult.CONTINUE;
                    }
                });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        long streamBytes = 0;
        for (Map.Entry<String, byte[]> s : streams.entrySet()) {
            streamBytes += s.getValue().length;
            search(s.getKey(), s.getValue(), hits);
        }
        return new Result(keys, files[0], files[1], streams.size(), streamBytes, hits);
    }

    private void search(String where, byte[] haystack, List<String> hits) {
        for (Map.Entry<String, byte[]> p : patterns.entrySet()) {
            int at = indexOf(haystack, p.getValue());
            if (at >= 0) {
                hits.add(p.getKey() + " in " + where + " at byte " + at);
            }
        }
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
