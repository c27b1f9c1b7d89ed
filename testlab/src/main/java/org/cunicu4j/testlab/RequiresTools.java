package org.cunicu4j.testlab;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The test needs these executables (e.g. {@code "nft"}, {@code "turnserver"}). Without
 * them the test is skipped with the reason and the Debian package to install; with
 * {@code CI=true} it fails instead.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RequirementsExtension.class)
public @interface RequiresTools {
    String[] value();
}
