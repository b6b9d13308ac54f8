package dev.colibri.backup;

/** One verification check: {@code ok}, {@code fail} or {@code skipped}, with a detail sentence. */
public record Check(String name, String status, String detail) {

    static Check ok(String name, String detail) {
        return new Check(name, "ok", detail);
    }

    static Check fail(String name, String detail) {
        return new Check(name, "fail", detail);
    }

    static Check skipped(String name, String detail) {
        return new Check(name, "skipped", detail);
    }

    public boolean failed() {
        return "fail".equals(status);
    }
}
