package dev.colibri.backup;

/** One verification check: {@code ok}, {@code fail} or {@code skipped}, with a detail sentence. */
public record Check(String name, String status, String detail) {

    public static Check ok(String name, String detail) {
        return new Check(name, "ok", detail);
    }

    public static Check fail(String name, String detail) {
        return new Check(name, "fail", detail);
    }

    public static Check skipped(String name, String detail) {
        return new Check(name, "skipped", detail);
    }

    public boolean failed() {
        return "fail".equals(status);
    }
}
