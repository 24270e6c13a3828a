package dev.presence.server.chat;

import dev.presence.core.UserStatus;
import dev.presence.server.config.ServerConfig;
import dev.presence.server.domain.ChatThread;
import dev.presence.server.domain.Invitation;
import dev.presence.server.domain.Member;
import dev.presence.server.domain.ThreadView;
import dev.presence.server.domain.User;
import dev.presence.server.presence.PresenceHub;
import dev.presence.server.protocol.Frames;
import dev.presence.server.store.ThreadStore;
import dev.presence.server.store.AccountStore;
import dev.presence.server.store.StoredCredentials;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.presence.server.chat.StoreFailures.translated;

/**
 * Threads and who is in them: creating, showing and leaving threads, and the invitations that bring people
 * in. Membership changes go to the presence hub, which keeps the audience index and sends the events to
 * exactly the members they concern. Every call blocks on the store, so they run on workers.
 */
public final class Threads {

    private final ThreadStore store;
    private final AccountStore accounts;
    private final PresenceHub hub;
    private final Statuses statuses;
    private final RateLimiter invitationsPerUser;
    private final MembershipLocks membershipLocks;

    /**
     * @param statuses the members' statuses for the threads shown
     * @param locks    the membership locks, shared with every other service that changes membership
     * @param config   the invitation rate limit
     */
    public Threads(ThreadStore store, AccountStore accounts, PresenceHub hub, Statuses statuses,
                   MembershipLocks locks, ServerConfig config) {
        this.store = store;
        this.accounts = accounts;
        this.hub = hub;
        this.statuses = statuses;
        this.invitationsPerUser = new RateLimiter(config.rateLimits().invitationsPerUser());
        this.membershipLocks = locks;
    }

    // --- threads ------------------------------------------------------------------------------------

    public List<ThreadView> threads(String userId) {
        return translated(() -> {
            List<ThreadView> views = new ArrayList<>();
            for (ChatThread thread : store.threadsOf(userId)) {
                views.add(view(thread));
            }
            return views;
        });
    }

    public ThreadView createThread(String userId, String title) {
        return translated(() -> {
            if (title == null || title.isBlank()) {
                throw ChatException.invalid("title must not be empty");
            }
            FieldRules.requireLabel("title", title.strip(), FieldRules.MAX_TITLE);
            ChatThread thread = store.createThread(title.strip(), userId);
            hub.joined(thread.id(), userId);
            return view(thread);
        });
    }

    public ThreadView thread(String userId, String threadId) {
        return translated(() -> view(memberThread(userId, threadId)));
    }

    public void leave(String userId, String threadId) {
        translated(() -> {
            memberThread(userId, threadId);
            synchronized (membershipLock(threadId)) {
                if (store.leaveThread(threadId, userId)) {
                    hub.left(threadId, userId);
                }
            }
        });
    }

    /** See {@link MembershipLocks}. */
    private Object membershipLock(String threadId) {
        return membershipLocks.of(threadId);
    }

    /**
     * The thread, if the user is one of its members.
     *
     * @throws ChatException 404 otherwise: a thread I am not in is "not found", so its existence is not disclosed
     */
    ChatThread memberThread(String userId, String threadId) {
        if (threadId == null || !store.isMember(threadId, userId)) {
            throw ChatException.notFound("thread");
        }
        return store.findThread(threadId).orElseThrow(() -> ChatException.notFound("thread"));
    }

    /** The thread with its members and their statuses, as the API shows it. */
    ThreadView view(ChatThread thread) {
        List<String> memberIds = store.members(thread.id());
        List<User> users = accounts.findUsers(memberIds);
        Map<String, UserStatus> now = statuses.of(memberIds);
        List<Member> members = new ArrayList<>(users.size());
        for (User user : users) {
            members.add(new Member(user, now.get(user.id())));
        }
        return new ThreadView(thread, members);
    }

    // --- invitations --------------------------------------------------------------------------------

    public Invitation invite(String userId, String threadId, String username) {
        return translated(() -> {
            invitationsPerUser.acquireOrRefuse(userId, "invitations");
            ChatThread thread = memberThread(userId, threadId);
            if (username == null || username.isBlank()) {
                throw ChatException.invalid("username is required");
            }
            String wanted = username.strip();
            if (!Text.isUsername(wanted)) {
                throw ChatException.notFound("user '" + wanted + "'");
            }
            User invitee = accounts.findCredentials(Text.canonicalUsername(wanted)).map(StoredCredentials::user)
                    .orElseThrow(() -> ChatException.notFound("user '" + wanted + "'"));
            if (store.isMember(thread.id(), invitee.id())) {
                throw ChatException.conflict("already_member", invitee.username() + " is already a member");
            }
            if (store.hasPendingInvitation(thread.id(), invitee.id())) {
                throw ChatException.conflict("already_invited", invitee.username() + " is already invited");
            }
            Invitation invitation = store.createInvitation(thread.id(), userId, invitee.id());
            hub.toUsers(List.of(invitee.id()), Frames.invitationCreated(invitation));
            return invitation;
        });
    }

    public List<Invitation> invitations(String userId) {
        return translated(() -> store.pendingInvitationsFor(userId));
    }

    public ThreadView accept(String userId, String invitationId) {
        return translated(() -> {
            Invitation invitation = store.findPendingInvitation(invitationId)
                    .filter(i -> i.toUserId().equals(userId))
                    .orElseThrow(() -> ChatException.notFound("invitation"));
            User user = accounts.findUser(userId).orElseThrow(() -> ChatException.notFound("user"));
            String threadId = invitation.threadId();
            synchronized (membershipLock(threadId)) {
                if (!store.acceptInvitation(invitation.id(), userId)) {
                    throw ChatException.notFound("invitation");
                }
                hub.accepted(threadId, userId,
                        status -> Frames.invitationAccepted(threadId, invitation.id(), user, status));
            }
            return view(store.findThread(threadId).orElseThrow(() -> ChatException.notFound("thread")));
        });
    }

    /**
     * The invitee declines a pending invitation: it stops being pending (the user may be invited again) and the
     * inviter's sessions get {@code invitation_declined}. Someone else's, an accepted or a declined
     * invitation is "not found", like an unknown one.
     */
    public void decline(String userId, String invitationId) {
        translated(() -> {
            Invitation invitation = store.findPendingInvitation(invitationId)
                    .filter(i -> i.toUserId().equals(userId))
                    .orElseThrow(() -> ChatException.notFound("invitation"));
            if (!store.declineInvitation(invitation.id(), userId)) {
                throw ChatException.notFound("invitation"); // accepted or declined meanwhile
            }
            hub.toUsers(List.of(invitation.fromUserId()), Frames.invitationDeclined(invitation));
        });
    }
}
