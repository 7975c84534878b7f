package dev.deepmatch.settings;

/** A setting with a value it does not allow; the message names the setting, value and rule. */
public final class SettingException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String setting;

    public SettingException(String setting, String message) {
        super(message);
        this.setting = setting;
    }

    /** The setting's name, without dashes. */
    public String setting() {
        return setting;
    }
}
