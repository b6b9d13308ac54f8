package dev.colibri.merkle;

import java.util.List;

/**
 * The published RFC 6962 test vectors used by Certificate Transparency implementations.
 *
 * <p>Source: transparency-dev/merkle, {@code testonly/constants.go} ({@code LeafInputs},
 * {@code NodeHashes}, {@code RootHashes}, {@code CompactTrees}, {@code EmptyRootHash}); the same leaves
 * and roots appear in google/certificate-transparency, {@code python/ct/crypto/merkle_test.py}
 * ({@code test_vector_leaves}, {@code test_vector_hashes}).
 */
final class CtVectors {
    private CtVectors() {
    }

    static final List<String> LEAF_INPUTS = List.of(
            "",
            "00",
            "10",
            "2021",
            "3031",
            "40414243",
            "5051525354555657",
            "606162636465666768696a6b6c6d6e6f");

    /** NODE_HASHES.get(level).get(index): every perfect subtree of the 8-leaf tree. */
    static final List<List<String>> NODE_HASHES = List.of(
            List.of(
                    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                    "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
                    "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                    "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
                    "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
                    "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1"),
            List.of(
                    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
            List.of(
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
                    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
            List.of(
                    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"));

    static final String EMPTY_ROOT = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    /** ROOTS.get(n) is the root of the first n leaves. */
    static final List<String> ROOTS = List.of(
            EMPTY_ROOT,
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
            "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
            "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");

    /** COMPACT_TREES.get(n) is the frontier of the first n leaves as (level, index) into NODE_HASHES. */
    static final List<List<int[]>> COMPACT_TREES = List.of(
            List.of(),
            List.of(new int[] {0, 0}),
            List.of(new int[] {1, 0}),
            List.of(new int[] {1, 0}, new int[] {0, 2}),
            List.of(new int[] {2, 0}),
            List.of(new int[] {2, 0}, new int[] {0, 4}),
            List.of(new int[] {2, 0}, new int[] {1, 2}),
            List.of(new int[] {2, 0}, new int[] {1, 2}, new int[] {0, 6}),
            List.of(new int[] {3, 0}));

    static List<byte[]> leafInputs() {
        return LEAF_INPUTS.stream().map(Hex::decode).toList();
    }
}
