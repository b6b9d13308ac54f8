package dev.colibri.merkle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class MerkleHashTest {

    @Test
    void emptyRootIsSha256OfTheEmptyString() {
        assertEquals(CtVectors.EMPTY_ROOT, Hex.encode(MerkleHash.emptyRoot()));
        assertEquals(CtVectors.EMPTY_ROOT, Hex.encode(MerkleHash.root(List.of())));
    }

    @Test
    void leafHashesMatchPublishedVectors() {
        List<byte[]> leaves = CtVectors.leafInputs();
        for (int i = 0; i < leaves.size(); i++) {
            assertEquals(CtVectors.NODE_HASHES.get(0).get(i), Hex.encode(MerkleHash.leaf(leaves.get(i))), "leaf " + i);
        }
    }

    @Test
    void leafAndNodeUseDistinctPrefixes() {
        // From transparency-dev/merkle rfc6962/rfc6962_test.go: SHA-256(0x00 || "L123456").
        assertEquals("395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56",
                Hex.encode(MerkleHash.leaf("L123456".getBytes(StandardCharsets.US_ASCII))));
        byte[] a = MerkleHash.leaf(new byte[] {1});
        byte[] b = MerkleHash.leaf(new byte[] {2});
        byte[] concatenated = new byte[64];
        System.arraycopy(a, 0, concatenated, 0, 32);
        System.arraycopy(b, 0, concatenated, 32, 32);
        assertNotEquals(Hex.encode(MerkleHash.node(a, b)), Hex.encode(MerkleHash.leaf(concatenated)));
    }

    @Test
    void interiorNodesMatchPublishedVectors() {
        for (int level = 1; level < CtVectors.NODE_HASHES.size(); level++) {
            List<String> below = CtVectors.NODE_HASHES.get(level - 1);
            List<String> here = CtVectors.NODE_HASHES.get(level);
            for (int i = 0; i < here.size(); i++) {
                byte[] node = MerkleHash.node(Hex.decode(below.get(2 * i)), Hex.decode(below.get(2 * i + 1)));
                assertEquals(here.get(i), Hex.encode(node), "node (" + level + ", " + i + ")");
            }
        }
    }

    @Test
    void referenceRootMatchesPublishedRootsForSizes0To8() {
        List<byte[]> leaves = CtVectors.leafInputs();
        for (int n = 0; n <= 8; n++) {
            assertEquals(CtVectors.ROOTS.get(n), Hex.encode(MerkleHash.root(leaves.subList(0, n))), "size " + n);
        }
    }

    @Test
    void nodeRejectsChildrenThatAreNotHashes() {
        byte[] ok = new byte[32];
        IllegalArgumentException left = assertThrows(IllegalArgumentException.class,
                () -> MerkleHash.node(new byte[31], ok));
        assertEquals("left hash must be 32 bytes, got 31", left.getMessage());
        IllegalArgumentException right = assertThrows(IllegalArgumentException.class,
                () -> MerkleHash.node(ok, new byte[33]));
        assertEquals("right hash must be 32 bytes, got 33", right.getMessage());
    }

    @Test
    void functionsDoNotKeepOrShareState() {
        byte[] data = {1, 2, 3};
        byte[] first = MerkleHash.leaf(data);
        first[0] ^= 1;
        assertArrayEquals(MerkleHash.leaf(data), MerkleHash.leaf(data.clone()));
        byte[] empty = MerkleHash.emptyRoot();
        empty[0] ^= 1;
        assertEquals(CtVectors.EMPTY_ROOT, Hex.encode(MerkleHash.emptyRoot()));
    }

    // ---- Hex ----

    @Test
    void hexRoundTripsEveryByteValueInLowerCase() {
        byte[] all = new byte[256];
        for (int i = 0; i < 256; i++) {
            all[i] = (byte) i;
        }
        String hex = Hex.encode(all);
        assertEquals(512, hex.length());
        assertEquals(hex.toLowerCase(java.util.Locale.ROOT), hex);
        assertEquals("000102", hex.substring(0, 6));
        assertEquals("7f80", hex.substring(254, 258));
        assertEquals("feff", hex.substring(508));
        assertArrayEquals(all, Hex.decode(hex));
        assertEquals("", Hex.encode(new byte[0]));
        assertArrayEquals(new byte[0], Hex.decode(""));
        for (String s : CtVectors.LEAF_INPUTS) {
            assertEquals(s, Hex.encode(Hex.decode(s)));
        }
    }

    @Test
    void hexRejectsOddLength() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Hex.decode("abc"));
        assertEquals("hex string has odd length 3: incomplete byte at position 2", e.getMessage());
        IllegalArgumentException one = assertThrows(IllegalArgumentException.class, () -> Hex.decode("0"));
        assertEquals("hex string has odd length 1: incomplete byte at position 0", one.getMessage());
    }

    @Test
    void hexRejectsNonHexCharactersNamingThePosition() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Hex.decode("00zz"));
        assertEquals("invalid hex character 'z' at position 2 (expected 0-9 or a-f)", e.getMessage());
        IllegalArgumentException low = assertThrows(IllegalArgumentException.class, () -> Hex.decode("0g"));
        assertEquals("invalid hex character 'g' at position 1 (expected 0-9 or a-f)", low.getMessage());
        IllegalArgumentException space = assertThrows(IllegalArgumentException.class, () -> Hex.decode("00 1"));
        assertEquals("invalid hex character ' ' at position 2 (expected 0-9 or a-f)", space.getMessage());
    }

    @Test
    void hexRejectsUpperCaseSoEachHashHasOneSpelling() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Hex.decode("abCD"));
        assertEquals("invalid hex character 'C' at position 2 (expected 0-9 or a-f)", e.getMessage());
    }
}
