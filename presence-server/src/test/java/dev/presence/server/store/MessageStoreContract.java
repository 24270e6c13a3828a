package dev.presence.server.store;

import dev.presence.server.domain.ChatThread;
import dev.presence.server.domain.Message;
import dev.presence.server.domain.User;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What every {@link MessageStore} must do: append, and page back newest first; extended once per database. */
abstract class MessageStoreContract extends JdbcStoreContract {

    private User ann;
    private ChatThread thread;

    @BeforeEach
    void annHasAThread() {
        ann = user("ann");
        thread = threads.createThread("team", ann.id());
    }

    @Test
    void messagesPageNewestFirst() {
        List<Message> sent = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            sent.add(messages.addMessage(thread.id(), ann.id(), "m" + i));
        }

        List<Message> newest = messages.messages(thread.id(), 2, null);
        assertThat(newest).extracting(Message::text).containsExactly("m4", "m3");
        assertThat(messages.messages(thread.id(), 10, newest.get(1).id())).extracting(Message::text)
                .containsExactly("m2", "m1", "m0");
        assertThat(messages.messages(thread.id(), 10, "unknown")).isEmpty();
        assertThat(sent.get(0).createdAt()).isPositive();
    }

    @Test
    void aMessageGetsItsIdFromTheGeneratorAndItsTimeFromTheClock() {
        clock.set(1_234_567);

        Message message = messages.addMessage(thread.id(), ann.id(), "hello");

        assertThat(message.id()).startsWith("m_");
        assertThat(ids.issued()).contains(message.id());
        assertThat(message).isEqualTo(new Message(message.id(), thread.id(), ann.id(), "hello", 1_234_567));
        assertThat(messages.messages(thread.id(), 10, null)).containsExactly(message);
    }

    @Test
    void messagesAreInTheOrderTheyWereAppendedWhateverTheirTime() {
        clock.set(5_000);
        Message first = messages.addMessage(thread.id(), ann.id(), "first");
        clock.set(1_000); // a clock stepped back
        Message second = messages.addMessage(thread.id(), ann.id(), "second");
        Message third = messages.addMessage(thread.id(), ann.id(), "third"); // the same millisecond

        assertThat(messages.messages(thread.id(), 10, null)).containsExactly(third, second, first);
        assertThat(messages.messages(thread.id(), 10, third.id())).containsExactly(second, first);
    }

    @Test
    void eachThreadPagesItsOwnMessages() {
        ChatThread other = threads.createThread("other", ann.id());
        Message here = messages.addMessage(thread.id(), ann.id(), "here");
        Message there = messages.addMessage(other.id(), ann.id(), "there");
        messages.addMessage(thread.id(), ann.id(), "here again");

        assertThat(messages.messages(other.id(), 10, null)).containsExactly(there);
        assertThat(messages.messages(thread.id(), 10, there.id())).as("before another thread's message").isEmpty();
        assertThat(messages.messages(other.id(), 10, here.id())).isEmpty();
    }

    @Test
    void anUnknownThreadHasNoMessages() {
        messages.addMessage(thread.id(), ann.id(), "hello");

        assertThat(messages.messages("t_ghost", 10, null)).isEmpty();
        assertThat(messages.messages(thread.id(), 10, "m_ghost")).isEmpty();
    }

    @Test
    void aMessageToAnUnknownThreadOrFromAnUnknownSenderIsRefusedAndNotKept() {
        assertThatThrownBy(() -> messages.addMessage("t_ghost", ann.id(), "hello")).isInstanceOf(StoreException.class);
        assertThatThrownBy(() -> messages.addMessage(thread.id(), "u_ghost", "hello"))
                .isInstanceOf(StoreException.class);

        assertThat(messages.messages(thread.id(), 10, null)).isEmpty();
        assertThat(messages.messages("t_ghost", 10, null)).isEmpty();
    }

    @Test
    void aTextTooLongForTheDatabaseIsBadDataAndNotKept() {
        Message longest = messages.addMessage(thread.id(), ann.id(), "x".repeat(4000));

        assertThatThrownBy(() -> messages.addMessage(thread.id(), ann.id(), "x".repeat(4001)))
                .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.isBadData()).isTrue());

        assertThat(messages.messages(thread.id(), 10, null)).containsExactly(longest);
    }
}
