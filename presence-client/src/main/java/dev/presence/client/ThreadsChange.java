package dev.presence.client;

import dev.presence.client.api.ChatThread;
import dev.presence.client.api.Invitation;
import dev.presence.client.api.Member;
import dev.presence.client.api.Message;
import dev.presence.client.api.User;
import dev.presence.client.api.UserStatus;

import java.util.List;

/** What changed in a {@link ThreadsState}; handed to {@link ThreadsListener}s with the new snapshot. */
public sealed interface ThreadsChange {

    /** The threads (and invitations) were loaded or reloaded over HTTP. */
    record ThreadsLoaded() implements ThreadsChange {
    }

    /**
     * A {@code welcome} replaced the whole presence view.
     *
     * @param flipped the statuses whose online flag differs from what the view held before (or that are new)
     */
    record PresenceReplaced(List<UserStatus> flipped) implements ThreadsChange {
        public PresenceReplaced {
            flipped = List.copyOf(flipped);
        }
    }

    /**
     * A newer status of one user.
     *
     * @param timestamp when it happened, Unix seconds (from the event; 0 if absent)
     */
    record StatusChanged(UserStatus status, long timestamp) implements ThreadsChange {
    }

    /** A message arrived in one of my threads. */
    record MessageReceived(Message message) implements ThreadsChange {
    }

    /** A user changed their profile. */
    record ProfileUpdated(User user) implements ThreadsChange {
    }

    /** Someone invited me into a thread. */
    record InvitationReceived(Invitation invitation) implements ThreadsChange {
    }

    /** Someone joined one of my threads by accepting an invitation. */
    record MemberJoined(String threadId, String invitationId, Member member) implements ThreadsChange {
    }

    /**
     * Someone else left one of my threads ({@code thread_member_left}).
     *
     * @param member the leaver as this view held them just before, so they can still be named
     */
    record MemberLeft(String threadId, Member member) implements ThreadsChange {
    }

    /** I left a thread (from another device): it is no longer in the view. */
    record ThreadLeft(ChatThread thread) implements ThreadsChange {
    }

    /**
     * An invitation was declined ({@code invitation_declined}): one I sent, or one addressed to me that I declined
     * elsewhere (it is then no longer pending). A notice: the threads themselves do not change.
     */
    record InvitationDeclined(String invitationId, String threadId) implements ThreadsChange {
    }
}
