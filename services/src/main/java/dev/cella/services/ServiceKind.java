package dev.cella.services;

import java.util.Locale;

/** The three services; each is one host module a guest imports. */
public enum ServiceKind {
    KV("cella_kv"),
    QUEUE("cella_queue"),
    DB("cella_db");

    private final String module;

    ServiceKind(String module) {
        this.module = module;
    }

    /** The host module name a guest imports the service's calls from. */
    public String module() {
        return module;
    }

    /** The word used in grants: {@code kv}, {@code queue} or {@code db}. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The kind {@code word} names, or null. */
    public static ServiceKind of(String word) {
        for (ServiceKind k : values()) {
            if (k.word().equals(word)) {
                return k;
            }
        }
        return null;
    }
}
