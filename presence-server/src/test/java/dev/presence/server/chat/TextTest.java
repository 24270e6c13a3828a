package dev.presence.server.chat;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TextTest {

    @Test
    void labelsRefuseControlCharactersAndBidirectionalControls() {
        assertThat(Text.forbiddenInLabel("\u001b[2J")).isEqualTo(0x1b); // a terminal's clear screen
        assertThat(Text.forbiddenInLabel("a\tb")).isEqualTo('\t');
        assertThat(Text.forbiddenInLabel("a\nb")).isEqualTo('\n');
        assertThat(Text.forbiddenInLabel("a\u007fb")).isEqualTo(0x7f);
        assertThat(Text.forbiddenInLabel("a\u009bb")).isEqualTo(0x9b); // C1 CSI
        for (int c = 0x202A; c <= 0x202E; c++) {
            assertThat(Text.forbiddenInLabel("team" + (char) c + "gpj.exe")).isEqualTo(c);
        }
        for (int c = 0x2066; c <= 0x2069; c++) {
            assertThat(Text.forbiddenInLabel((char) c + "x")).isEqualTo(c);
        }
    }

    @Test
    void labelsKeepEveryScriptAndEmoji() {
        assertThat(Text.forbiddenInLabel("Zoë Ångström")).isEqualTo(-1);
        assertThat(Text.forbiddenInLabel("مرحبا بالعالم")).isEqualTo(-1); // right-to-left letters are fine
        assertThat(Text.forbiddenInLabel("שלום team 👋🏽")).isEqualTo(-1);
        assertThat(Text.forbiddenInLabel("日本語のスレッド")).isEqualTo(-1);
    }
}
