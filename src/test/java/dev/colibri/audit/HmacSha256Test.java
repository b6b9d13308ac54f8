package dev.colibri.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class HmacSha256Test {

    private static final HexFormat HEX = HexFormat.of();

    /** RFC 4231, test cases 1–4, 6 and 7 (5 is a truncated tag). */
    @Test
    void matchesTheRfc4231Vectors() {
        assertTag("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", ascii("Hi There"),
                "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
        assertTag(HEX.formatHex(ascii("Jefe")), ascii("what do ya want for nothing?"),
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        assertTag("aa".repeat(20), repeat((byte) 0xdd, 50),
                "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
        assertTag("0102030405060708090a0b0c0d0e0f10111213141516171819", repeat((byte) 0xcd, 50),
                "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
        assertTag("aa".repeat(131), ascii("Test Using Larger Than Block-Size Key - Hash Key First"),
                "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
        assertTag("aa".repeat(131), ascii("This is a test using a larger than block-size key and a larger than"
                + " block-size data. The key needs to be hashed before being used by the HMAC algorithm."),
                "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
    }

    @Test
    void givesTheJdkMacsBytesForKeysAndMessagesOfEveryShape() throws Exception {
        Random random = new Random(42);
        for (int keyLength : new int[] {16, 32, 63, 64, 65, 200}) {
            byte[] key = new byte[keyLength];
            random.nextBytes(key);
            Mac jdk = Mac.getInstance("HmacSHA256");
            jdk.init(new SecretKeySpec(key, "HmacSHA256"));
            HmacSha256 ours = new HmacSha256(key);
            for (int length : new int[] {0, 1, 55, 56, 63, 64, 65, 1000, 70_000}) {
                byte[] message = new byte[length];
                random.nextBytes(message);
                int cut = length / 3;
                ours.update(message, 0, cut);
                ours.update(Arrays.copyOfRange(message, cut, length));
                assertArrayEquals(jdk.doFinal(message), ours.doFinal(), "key " + keyLength + " B, message " + length + " B");
            }
        }
    }

    @Test
    void startsTheNextMessageAfterEachTag() {
        HmacSha256 mac = new HmacSha256(ascii("a sixteen byte k"));
        byte[] first = mac.doFinal(ascii("one"));
        mac.doFinal(ascii("two"));

        assertArrayEquals(first, mac.doFinal(ascii("one")));
        assertEquals(HmacSha256.LENGTH, first.length);
    }

    @Test
    void leavesTheCallersKeyUntouched() {
        byte[] key = repeat((byte) 0xaa, 131);
        new HmacSha256(key).doFinal(ascii("x"));

        assertArrayEquals(repeat((byte) 0xaa, 131), key);
    }

    private static void assertTag(String keyHex, byte[] message, String tagHex) {
        assertEquals(tagHex, HEX.formatHex(new HmacSha256(HEX.parseHex(keyHex)).doFinal(message)));
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] repeat(byte b, int n) {
        byte[] bytes = new byte[n];
        Arrays.fill(bytes, b);
        return bytes;
    }
}
