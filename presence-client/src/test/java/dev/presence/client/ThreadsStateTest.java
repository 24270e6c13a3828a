package dev.presence.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.presence.client.api.ChatThread;
import dev.presence.client.api.Invitation;
import dev.presence.client.api.Member;
import dev.presence.client.api.Message;
import dev.presence.client.api.PresenceApi;
import dev.presence.client.api.User;
import dev.presence.client.api.UserStatus;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ThreadsStateTest {

    private final ThreadsState state = new ThreadsState();
    private final List<ThreadsChange> changes = new ArrayList<>();
    private final List<ThreadsSnapshot> seen = new ArrayList<>();

    private static final Member ME = new Member("u-me", "me", "Me", true, 0);
    private static final Member BOB = new Member("u-bob", "bob", "Bob", false, 100);
    private static final Member CAROL = new Member("u-carol", "carol", "Carol", false, 100);

    @BeforeEach
    void load() {
        state.applyThreads(List.of(
                new ChatThread("t1", "one", List.of(ME, BOB)),
                new ChatThread("t2", "two", List.of(ME, BOB, CAROL))), List.of());
        state.addListener((snapshot, change) -> {
            seen.add(snapshot);
            changes.add(change);
        });
    }

    @Test
    void newerStatusUpdatesTheUserInEveryThreadAtOnce() {
        state.applyStatus(new UserStatus("u-bob", true, 5_000, 10), 5);

        ThreadsSnapshot s = state.snapshot();
        assertThat(s.thread("t1").orElseThrow().member("u-bob").orElseThrow().online()).isTrue();
        assertThat(s.thread("t2").orElseThrow().member("u-bob").orElseThrow().online()).isTrue();
        assertThat(s.thread("t2").orElseThrow().member("u-bob").orElseThrow().lastSeen()).isEqualTo(5_000);
        assertThat(s.thread("t2").orElseThrow().member("u-carol").orElseThrow().online()).isFalse();
        assertThat(s.status("u-bob").orElseThrow().version()).isEqualTo(10);
        assertThat(changes).containsExactly(new ThreadsChange.StatusChanged(new UserStatus("u-bob", true, 5_000, 10), 5));
    }

    @Test
    void outOfOrderEventsNewerWins() {
        // offline v12 arrives before online v11: the late, older event must not undo the newer one
        assertThat(state.applyStatus(new UserStatus("u-bob", false, 7_000, 12), 7)).isTrue();
        assertThat(state.applyStatus(new UserStatus("u-bob", true, 6_000, 11), 6)).isFalse();
        assertThat(state.applyStatus(new UserStatus("u-bob", false, 7_000, 12), 7)).as("duplicate").isFalse();

        assertThat(state.snapshot().isOnline("u-bob")).isFalse();
        assertThat(state.snapshot().member("u-bob").orElseThrow().lastSeen()).isEqualTo(7_000);
        assertThat(changes).hasSize(1);

        assertThat(state.applyStatus(new UserStatus("u-bob", true, 8_000, 13), 8)).isTrue();
        assertThat(state.snapshot().isOnline("u-bob")).isTrue();
        assertThat(changes).hasSize(2);
    }

    @Test
    void welcomeReplacesTheWholePresenceView() {
        state.applyStatus(new UserStatus("u-bob", true, 5_000, 10), 5);
        state.applyStatus(new UserStatus("u-dave", true, 5_000, 3), 5);

        // while we were away bob went offline and carol came online; dave is no longer a co-member
        state.applyWelcome(List.of(new UserStatus("u-bob", false, 9_000, 11),
                new UserStatus("u-carol", true, 9_500, 4)));

        ThreadsSnapshot s = state.snapshot();
        assertThat(s.presence()).containsOnlyKeys("u-bob", "u-carol");
        assertThat(s.member("u-bob").orElseThrow().online()).isFalse();
        assertThat(s.member("u-bob").orElseThrow().lastSeen()).isEqualTo(9_000);
        assertThat(s.thread("t2").orElseThrow().member("u-carol").orElseThrow().online()).isTrue();
        assertThat(changes.get(changes.size() - 1)).isInstanceOfSatisfying(ThreadsChange.PresenceReplaced.class,
                c -> assertThat(c.flipped()).extracting(UserStatus::userId).containsExactlyInAnyOrder("u-bob", "u-carol"));
        assertThat(changes).hasSize(3);
    }

    @Test
    void welcomeReplacesEvenWithLowerVersions() {
        // the snapshot is authoritative: it replaces the view, it is not merged into it
        state.applyStatus(new UserStatus("u-bob", true, 5_000, 10), 5);
        state.applyWelcome(List.of(new UserStatus("u-bob", false, 4_000, 9)));
        assertThat(state.snapshot().isOnline("u-bob")).isFalse();
        // and later events are again compared with what the snapshot said
        assertThat(state.applyStatus(new UserStatus("u-bob", true, 6_000, 10), 6)).isTrue();
    }

    @Test
    void httpReloadKeepsTheVersionedStatuses() {
        state.applyStatus(new UserStatus("u-bob", true, 5_000, 10), 5);
        // an HTTP answer computed a moment earlier still says bob is offline
        state.applyThreads(List.of(new ChatThread("t1", "one", List.of(ME, BOB))), List.of());

        assertThat(state.snapshot().member("u-bob").orElseThrow().online()).isTrue();
        assertThat(state.snapshot().threads()).hasSize(1);
    }

    @Test
    void listenerIsCalledOncePerChangeAndNeverForNoChange() {
        state.applyStatus(new UserStatus("u-bob", true, 5_000, 10), 5);
        state.applyStatus(new UserStatus("u-bob", true, 5_000, 10), 5); // duplicate
        state.applyMessage(new Message("m1", "t1", "u-bob", "hi", 5_000));
        state.applyMessage(new Message("m1", "t1", "u-bob", "hi", 5_000)); // duplicate
        state.applyProfile(new User("u-bob", "bob", "Robert"));
        state.applyProfile(new User("u-bob", "bob", "Robert")); // no difference
        state.applyInvitation(new Invitation("i1", "t9", "nine", "u-carol", "u-me"));
        state.applyInvitation(new Invitation("i1", "t9", "nine", "u-carol", "u-me"));
        state.applyThreads(state.snapshot().threads(), state.snapshot().invitations()); // same content

        assertThat(changes).hasSize(4);
        assertThat(changes).extracting(c -> c.getClass().getSimpleName())
                .containsExactly("StatusChanged", "MessageReceived", "ProfileUpdated", "InvitationReceived");
        assertThat(seen).extracting(ThreadsSnapshot::revision).doesNotHaveDuplicates().isSorted();
    }

    @Test
    void appliesServerMessagesByType() throws Exception {
        apply("{\"type\":\"user_status_changed\",\"user_id\":\"u-carol\",\"is_online\":true,"
                + "\"timestamp\":1767052800,\"last_seen\":1767052800123,\"version\":42}");
        apply("{\"type\":\"message_created\",\"thread_id\":\"t2\",\"message\":{\"id\":\"m7\",\"thread_id\":\"t2\","
                + "\"sender_id\":\"u-carol\",\"text\":\"hello\",\"created_at\":1767052800200}}");
        apply("{\"type\":\"user_profile_updated\",\"user\":{\"id\":\"u-carol\",\"username\":\"carol\","
                + "\"display_name\":\"Caroline\"}}");
        apply("{\"type\":\"invitation_created\",\"invitation\":{\"id\":\"i5\",\"thread_id\":\"t5\","
                + "\"thread_title\":\"five\",\"from_user_id\":\"u-bob\",\"to_user_id\":\"u-me\"}}");
        apply("{\"type\":\"invitation_accepted\",\"thread_id\":\"t1\",\"invitation_id\":\"i0\",\"user\":{"
                + "\"id\":\"u-carol\",\"username\":\"carol\",\"display_name\":\"Caroline\",\"is_online\":false,"
                + "\"last_seen\":1}}");
        apply("{\"type\":\"something_new\",\"x\":1}");

        ThreadsSnapshot s = state.snapshot();
        Member carolInT2 = s.thread("t2").orElseThrow().member("u-carol").orElseThrow();
        assertThat(carolInT2.online()).isTrue();
        assertThat(carolInT2.lastSeen()).isEqualTo(1767052800123L);
        assertThat(carolInT2.displayName()).isEqualTo("Caroline");
        assertThat(s.messages("t2")).extracting(Message::text).containsExactly("hello");
        assertThat(s.invitations()).extracting(Invitation::threadTitle).containsExactly("five");
        Member carolInT1 = s.thread("t1").orElseThrow().member("u-carol").orElseThrow();
        assertThat(carolInT1.online()).as("the versioned status wins over the event's member copy").isTrue();
        assertThat(changes).hasSize(5);
    }

    @Test
    void acceptingRemovesThePendingInvitation() {
        state.applyInvitation(new Invitation("i1", "t9", "nine", "u-carol", "u-me"));
        state.applyMemberJoined("t9", "i1", ME);
        assertThat(state.snapshot().invitations()).isEmpty();
    }

    @Test
    void keepsABoundedNumberOfMessages() {
        ThreadsState small = new ThreadsState(2);
        for (int i = 0; i < 5; i++) {
            small.applyMessage(new Message("m" + i, "t1", "u-bob", "text " + i, i));
        }
        assertThat(small.snapshot().messages("t1")).extracting(Message::id).containsExactly("m3", "m4");
    }

    @Test
    void snapshotsAreImmutable() {
        ThreadsSnapshot s = state.snapshot();
        assertThatThrownBy(() -> s.threads().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> s.presence().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> s.threads().get(0).users().clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void readersOnOtherThreadsAlwaysSeeAConsistentView() throws Exception {
        // bob is in two threads: a reader must never see him online in one and offline in the other
        AtomicBoolean torn = new AtomicBoolean();
        AtomicBoolean done = new AtomicBoolean();
        CountDownLatch readerStarted = new CountDownLatch(1);
        Thread reader = new Thread(() -> {
            readerStarted.countDown();
            while (!done.get()) {
                ThreadsSnapshot s = state.snapshot();
                boolean a = s.thread("t1").orElseThrow().member("u-bob").orElseThrow().online();
                boolean b = s.thread("t2").orElseThrow().member("u-bob").orElseThrow().online();
                if (a != b) {
                    torn.set(true);
                }
            }
        });
        reader.start();
        assertThat(readerStarted.await(10, TimeUnit.SECONDS)).isTrue();
        for (int v = 1; v <= 20_000; v++) {
            state.applyStatus(new UserStatus("u-bob", v % 2 == 1, v, v), v);
        }
        done.set(true);
        reader.join(10_000);
        assertThat(torn).isFalse();
        assertThat(changes).hasSize(20_000);
    }

    @Test
    void statusBatchIsAppliedEntryByEntryByTheVersionRule() throws Exception {
        state.applyStatus(new UserStatus("u-carol", true, 5_000, 20), 5);
        changes.clear();

        // bob: an older then a newer entry (both newer than nothing held); carol: stale (19 < 20); bob again: a
        // duplicate of the version already applied in this very batch
        apply("{\"type\":\"status_batch\",\"statuses\":["
                + "{\"user_id\":\"u-bob\",\"is_online\":true,\"timestamp\":6,\"last_seen\":6000,\"version\":11},"
                + "{\"user_id\":\"u-bob\",\"is_online\":false,\"timestamp\":7,\"last_seen\":7000,\"version\":12},"
                + "{\"user_id\":\"u-carol\",\"is_online\":false,\"timestamp\":4,\"last_seen\":4000,\"version\":19},"
                + "{\"user_id\":\"u-bob\",\"is_online\":true,\"timestamp\":6,\"last_seen\":6000,\"version\":11}]}");

        assertThat(changes).containsExactly(
                new ThreadsChange.StatusChanged(new UserStatus("u-bob", true, 6_000, 11), 6),
                new ThreadsChange.StatusChanged(new UserStatus("u-bob", false, 7_000, 12), 7));
        assertThat(state.snapshot().isOnline("u-bob")).isFalse();
        assertThat(state.snapshot().member("u-bob").orElseThrow().lastSeen()).isEqualTo(7_000);
        assertThat(state.snapshot().isOnline("u-carol")).as("the stale entry changed nothing").isTrue();
    }

    @Test
    void memberLeftLeavesThatThreadOnlyAndForgetsAStatusNoLongerShared() throws Exception {
        state.applyWelcome(new Welcome("s1", "u-me", java.time.Duration.ofSeconds(20), java.time.Duration.ofSeconds(10),
                List.of(new UserStatus("u-bob", true, 5_000, 10), new UserStatus("u-carol", true, 5_000, 7))));
        changes.clear();

        apply("{\"type\":\"thread_member_left\",\"thread_id\":\"t2\",\"user_id\":\"u-carol\"}");

        ThreadsSnapshot s = state.snapshot();
        assertThat(s.thread("t2").orElseThrow().users()).extracting(Member::id).containsExactly("u-me", "u-bob");
        assertThat(s.status("u-carol")).as("carol shares no thread with me any more").isEmpty();
        assertThat(s.isOnline("u-carol")).isFalse();
        assertThat(changes).singleElement().isInstanceOfSatisfying(ThreadsChange.MemberLeft.class, c -> {
            assertThat(c.threadId()).isEqualTo("t2");
            assertThat(c.member().username()).isEqualTo("carol");
        });

        apply("{\"type\":\"thread_member_left\",\"thread_id\":\"t2\",\"user_id\":\"u-bob\"}");

        s = state.snapshot();
        assertThat(s.thread("t2").orElseThrow().users()).extracting(Member::id).containsExactly("u-me");
        assertThat(s.thread("t1").orElseThrow().member("u-bob")).as("bob is still in t1").isPresent();
        assertThat(s.status("u-bob")).as("still shared through t1").isPresent();
        assertThat(s.isOnline("u-bob")).isTrue();

        assertThat(state.applyMemberLeft("t2", "u-bob")).as("already gone").isFalse();
        assertThat(state.applyMemberLeft("t-unknown", "u-bob")).isFalse();
    }

    @Test
    void whenIAmTheOneWhoLeftTheThreadGoes() throws Exception {
        state.applyWelcome(new Welcome("s1", "u-me", java.time.Duration.ofSeconds(20), java.time.Duration.ofSeconds(10),
                List.of(new UserStatus("u-bob", true, 5_000, 10), new UserStatus("u-carol", true, 5_000, 7))));
        state.applyMessage(new Message("m1", "t2", "u-carol", "hi", 5_000));
        changes.clear();

        apply("{\"type\":\"thread_member_left\",\"thread_id\":\"t2\",\"user_id\":\"u-me\"}");

        ThreadsSnapshot s = state.snapshot();
        assertThat(s.threads()).extracting(ChatThread::id).containsExactly("t1");
        assertThat(s.messages("t2")).isEmpty();
        assertThat(s.status("u-carol")).as("carol was only in t2").isEmpty();
        assertThat(s.status("u-bob")).as("bob is still in t1").isPresent();
        assertThat(changes).singleElement().isInstanceOfSatisfying(ThreadsChange.ThreadLeft.class,
                c -> assertThat(c.thread().title()).isEqualTo("two"));
        assertThat(state.me()).contains("u-me");
    }

    @Test
    void aDeclinedInvitationIsANoticeAndNoLongerPending() throws Exception {
        state.applyInvitation(new Invitation("i1", "t9", "nine", "u-carol", "u-me"));
        changes.clear();
        long revision = state.snapshot().revision();

        apply("{\"type\":\"invitation_declined\",\"invitation_id\":\"i7\",\"thread_id\":\"t1\"}");
        assertThat(changes).containsExactly(new ThreadsChange.InvitationDeclined("i7", "t1"));
        assertThat(state.snapshot().revision()).isEqualTo(revision + 1);
        assertThat(state.snapshot().invitations()).hasSize(1);

        apply("{\"type\":\"invitation_declined\",\"invitation_id\":\"i1\",\"thread_id\":\"t9\"}");
        assertThat(state.snapshot().invitations()).isEmpty();
    }

    @Test
    void invitationsCarryTheInviter() throws Exception {
        apply("{\"type\":\"invitation_created\",\"invitation\":{\"id\":\"i5\",\"thread_id\":\"t5\","
                + "\"thread_title\":\"five\",\"from_user_id\":\"u-dave\",\"to_user_id\":\"u-me\","
                + "\"from_user\":{\"id\":\"u-dave\",\"username\":\"dave\",\"display_name\":\"Dave D\"}}}");

        Invitation invitation = state.snapshot().invitations().get(0);
        assertThat(invitation.inviter()).contains(new User("u-dave", "dave", "Dave D"));
        assertThat(new Invitation("i1", "t9", "nine", "u-carol", "u-me").inviter()).isEmpty();
    }

    private void apply(String json) throws Exception {
        JsonNode node = PresenceApi.JSON.readTree(json);
        state.apply(node);
    }
}
