package io.spilo.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ByteSizeTest {
    @Test
    void unitsArePowersOf1024() {
        assertThat(ByteSize.parse("1048576")).contains(1_048_576L);
        assertThat(ByteSize.parse("16kB")).contains(16_384L);
        assertThat(ByteSize.parse("1MB")).contains(1_048_576L);
        assertThat(ByteSize.parse("2 gb")).contains(2_147_483_648L);
    }

    @Test
    void garbageIsNotASize() {
        assertThat(ByteSize.parse("lots")).isEqualTo(Optional.empty());
        assertThat(ByteSize.parse("-1")).isEqualTo(Optional.empty());
    }
}
