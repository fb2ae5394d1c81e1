package io.spilo.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Patroni's {@code watchdog} section: the Linux watchdog device as a second fence (a machine reset
 * when everything else hangs). {@code off}: not used; {@code automatic}: used when it works;
 * {@code required}: no leadership without it.
 *
 * @param safetyMarginSeconds how long before the lease expires the device must fire: its timeout
 *     may be at most {@code ttl - safety_margin}
 */
public record WatchdogConfig(Mode mode, Path device, int safetyMarginSeconds) {
    public enum Mode {
        OFF, AUTOMATIC, REQUIRED
    }

    public static final WatchdogConfig DEFAULT = new WatchdogConfig(Mode.AUTOMATIC, Path.of("/dev/watchdog"), 5);

    /** Reads the section; Patroni's spellings (off, false, disable; automatic; required) are accepted. */
    static WatchdogConfig from(JsonNode section) {
        if (section == null || section.isMissingNode() || section.isNull()) {
            return DEFAULT;
        }
        if (!section.isObject()) {
            throw new ConfigException("watchdog: must be a mapping (mode: automatic, device: /dev/watchdog, safety_margin: 5)");
        }
        Mode mode = mode(section.path("mode"));
        JsonNode device = section.path("device");
        Path devicePath = device.isMissingNode() || device.isNull() ? DEFAULT.device() : Path.of(device.asText());
        if (!devicePath.isAbsolute()) {
            throw new ConfigException("watchdog.device: '" + device.asText() + "' must be an absolute path such as /dev/watchdog");
        }
        JsonNode margin = section.path("safety_margin");
        int safetyMargin = DEFAULT.safetyMarginSeconds();
        if (!margin.isMissingNode() && !margin.isNull()) {
            if (!margin.canConvertToInt() || margin.asInt(-1) < 0 || (margin.isTextual() && !margin.asText().matches("\\d+"))) {
                throw new ConfigException("watchdog.safety_margin: '" + margin.asText() + "' must be a whole number of seconds, 0 or more");
            }
            safetyMargin = margin.isTextual() ? Integer.parseInt(margin.asText()) : margin.asInt();
        }
        return new WatchdogConfig(mode, devicePath, safetyMargin);
    }

    private static Mode mode(JsonNode node) {
        if (node.isMissingNode() || node.isNull()) {
            return DEFAULT.mode();
        }
        if (node.isBoolean()) {
            return node.asBoolean() ? Mode.AUTOMATIC : Mode.OFF;
        }
        return switch (node.asText().toLowerCase(Locale.ROOT)) {
            case "off", "false", "disable", "disabled" -> Mode.OFF;
            case "automatic", "true", "on" -> Mode.AUTOMATIC;
            case "required" -> Mode.REQUIRED;
            default -> throw new ConfigException("watchdog.mode: '" + node.asText() + "' is not one of off, automatic, required");
        };
    }
}
