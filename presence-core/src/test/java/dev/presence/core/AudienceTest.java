package dev.presence.core;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AudienceTest {

    private final Audience audience = new Audience();

    @Test
    void joiningReportsOnlyUsersWhoDidNotShareAThreadBefore() {
        audience.join("t1", "ann");
        audience.join("t1", "bob");
        audience.join("t2", "ann");

        assertThat(audience.join("t2", "bob")).isEmpty(); // already share t1
        assertThat(audience.join("t2", "cat")).containsExactlyInAnyOrder("ann", "bob");
        assertThat(audience.join("t2", "cat")).isEmpty(); // twice is once
    }

    @Test
    void leavingReportsOnlyUsersWhoShareNoThreadAnyMore() {
        audience.join("t1", "ann");
        audience.join("t1", "bob");
        audience.join("t2", "ann");
        audience.join("t2", "bob");
        audience.join("t2", "cat");

        assertThat(audience.leave("t2", "ann")).containsExactly("cat"); // still shares t1 with bob
        assertThat(audience.coMembers("ann")).containsExactly("bob");
        assertThat(audience.leave("t1", "ann")).containsExactly("bob");
        assertThat(audience.coMembers("ann")).isEmpty();
        assertThat(audience.leave("t1", "ann")).isEmpty();
    }

    @Test
    void coMembersAreTheUnionOfAllThreadsWithoutTheUserItself() {
        audience.join("t1", "ann");
        audience.join("t1", "bob");
        audience.join("t2", "ann");
        audience.join("t2", "cat");
        audience.join("t3", "dan");

        assertThat(audience.coMembers("ann")).containsExactlyInAnyOrder("bob", "cat");
        assertThat(audience.coMembers("dan")).isEmpty();
        assertThat(audience.shareAThread("bob", "cat")).isFalse();
        assertThat(audience.shareAThread("ann", "ann")).isFalse();
    }
}
