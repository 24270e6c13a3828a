package dev.presence.client.cli;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TerminalTextTest {

    @Test
    void ordinaryTextOfEveryScriptIsUntouched() {
        String text = "Zoë, 山田, مرحبا, שלום, 👩‍👩‍👧 and a \\ backslash";
        assertThat(TerminalText.safe(text)).isSameAs(text);
    }

    @Test
    void escapeSequencesAreShownNotRun() {
        assertThat(TerminalText.safe("\u001b[2J\u001b[Hclear")).isEqualTo("\\x1B[2J\\x1B[Hclear");
        assertThat(TerminalText.safe("\u001b]0;pwned\u0007title")).isEqualTo("\\x1B]0;pwned\\x07title");
        assertThat(TerminalText.safe("\u001b]8;;http://evil\u001b\\link")).isEqualTo("\\x1B]8;;http://evil\\x1B\\link");
        assertThat(TerminalText.safe("\u001b[31mred\u001b[0m")).isEqualTo("\\x1B[31mred\\x1B[0m");
    }

    @Test
    void c1ControlsAndDeleteAreEscaped() {
        // U+009B is a one-character CSI on terminals that honour 8-bit controls; U+009D an OSC
        assertThat(TerminalText.safe("a\u009b2Jb\u009d0;x\u009cc\u007fd\u0085e")).isEqualTo("a\\x9B2Jb\\x9D0;x\\x9Cc\\x7Fd\\x85e");
    }

    @Test
    void lineBreaksCannotForgeALine() {
        assertThat(TerminalText.safe("hi\n[12:00:00] root is now online\rX\tY"))
                .isEqualTo("hi\\n[12:00:00] root is now online\\rX\\tY");
        assertThat(TerminalText.safe("a\u2028b\u2029c")).isEqualTo("a\\u2028b\\u2029c");
    }

    @Test
    void bidiControlsAreEscaped() {
        assertThat(TerminalText.safe("invoice\u202Efdp.exe")).isEqualTo("invoice\\u202Efdp.exe");
        assertThat(TerminalText.safe("\u202A\u202B\u202C\u202D\u2066\u2067\u2068\u2069\u200E\u200F\u061C"))
                .isEqualTo("\\u202A\\u202B\\u202C\\u202D\\u2066\\u2067\\u2068\\u2069\\u200E\\u200F\\u061C");
    }

    @Test
    void unpairedSurrogatesAreEscapedAndPairsKept() {
        assertThat(TerminalText.safe("x\uD800y\uDC00z😀")).isEqualTo("x\\uD800y\\uDC00z😀");
    }

    @Test
    void nullReadsAsNull() {
        assertThat(TerminalText.safe(null)).isEqualTo("null");
    }
}
