package dev.colibri.restore;

/** Hears each step of an offline restore as soon as it is done (the CLI prints them as they come). */
@FunctionalInterface
public interface StepListener {

    void step(RestoreStep step);

    static StepListener none() {
        return step -> { };
    }
}
