package org.cunicu4j.stun;

import java.text.Normalizer;

/**
 * The string preparation STUN applies to user names, realms and passwords before they
 * are hashed into keys. Two profiles, each a documented subset of its RFC:
 *
 * <ul>
 *   <li>{@link #opaqueString} — PRECIS OpaqueString (RFC 8265 section 4.2), what RFC 8489
 *       asks for: every non-ASCII space (Unicode category Zs) becomes U+0020, then NFC.
 *       Refused: the empty string, control characters (Cc), unassigned code points (Cn),
 *       surrogates (Cs). Not checked: the full PRECIS FreeformClass derived-property
 *       table (for example old Hangul jamo, which stay as they are).</li>
 *   <li>{@link #saslPrep} — SASLprep (RFC 4013, stringprep RFC 3454), what RFC 5389 and
 *       the RFC 5769 test vectors use: the characters of table B.1 are removed (soft
 *       hyphen, zero-width joiners, variation selectors, ...), non-ASCII spaces (C.1.2)
 *       become U+0020, then NFKC. Refused: controls (C.2), private use (C.3),
 *       non-characters (C.4), surrogates (C.5), and the change-display/tagging characters
 *       (C.8, C.9). Not done: the bidirectional check (section 6 of RFC 3454) and the
 *       "unassigned in Unicode 3.2" check (the JDK's Unicode is used instead).</li>
 * </ul>
 *
 * <p>Both leave printable ASCII unchanged, which is all ICE credentials and most TURN
 * passwords hold. Stateless and thread-safe.
 */
public final class StringPrep {
    private StringPrep() {}

    /** PRECIS OpaqueString, as described above. */
    public static String opaqueString(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        s.codePoints().forEach(cp -> {
            int t = Character.getType(cp);
            if (t == Character.CONTROL || t == Character.UNASSIGNED || t == Character.SURROGATE) {
                throw new IllegalArgumentException(String.format("OpaqueString refuses U+%04X", cp));
            }
            sb.appendCodePoint(t == Character.SPACE_SEPARATOR ? ' ' : cp);
        });
        String out = Normalizer.normalize(sb, Normalizer.Form.NFC);
        if (out.isEmpty()) {
            throw new IllegalArgumentException("OpaqueString refuses the empty string");
        }
        return out;
    }

    /** SASLprep, as described above. */
    public static String saslPrep(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        s.codePoints().forEach(cp -> {
            if (mappedToNothing(cp)) {
                return;
            }
            sb.appendCodePoint(cp != ' ' && Character.getType(cp) == Character.SPACE_SEPARATOR ? ' ' : cp);
        });
        String out = Normalizer.normalize(sb, Normalizer.Form.NFKC);
        out.codePoints().forEach(cp -> {
            if (prohibited(cp)) {
                throw new IllegalArgumentException(String.format("SASLprep prohibits U+%04X", cp));
            }
        });
        return out;
    }

    /** RFC 3454 table B.1. */
    private static boolean mappedToNothing(int cp) {
        return cp == 0x00AD || cp == 0x034F || cp == 0x1806 || (cp >= 0x180B && cp <= 0x180D)
                || (cp >= 0x200B && cp <= 0x200D) || cp == 0x2060 || (cp >= 0xFE00 && cp <= 0xFE0F)
                || cp == 0xFEFF;
    }

    /** RFC 3454 tables C.2.1, C.2.2, C.3, C.4, C.5, C.8, C.9 (C.1.2 spaces are mapped earlier). */
    private static boolean prohibited(int cp) {
        int t = Character.getType(cp);
        return t == Character.CONTROL // C.2.1 and most of C.2.2
                || t == Character.PRIVATE_USE // C.3
                || t == Character.SURROGATE // C.5
                || (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE // C.4
                || cp == 0x06DD || cp == 0x070F || cp == 0x180E || (cp >= 0x200C && cp <= 0x200D)
                || (cp >= 0x2028 && cp <= 0x2029) || (cp >= 0x2060 && cp <= 0x2063)
                || (cp >= 0x206A && cp <= 0x206F) || (cp >= 0xFFF9 && cp <= 0xFFFC)
                || (cp >= 0x1D173 && cp <= 0x1D17A) // rest of C.2.2
                || (cp >= 0x0340 && cp <= 0x0341) || (cp >= 0x200E && cp <= 0x200F)
                || (cp >= 0x202A && cp <= 0x202E) // C.8
                || cp == 0xE0001 || (cp >= 0xE0020 && cp <= 0xE007F); // C.9
    }
}
