package org.cunicu4j.testlab;

import java.lang.reflect.AnnotatedElement;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Checks {@link RequiresRoot} and {@link RequiresTools}: on a laptop a missing
 * requirement skips the test with the reason; when {@code CI=true} it fails the test, so
 * that CI never passes by skipping. The decision is {@link RequirementCheck#evaluate}.
 */
public final class RequirementsExtension implements BeforeAllCallback, BeforeEachCallback {

    @Override
    public void beforeAll(ExtensionContext context) {
        check(context.getRequiredTestClass());
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        check(context.getRequiredTestClass());
        context.getTestMethod().ifPresent(this::check);
    }

    private void check(AnnotatedElement element) {
        boolean needsRoot = AnnotationSupport.isAnnotated(element, RequiresRoot.class);
        List<String> tools = AnnotationSupport.findAnnotation(element, RequiresTools.class)
                .map(t -> List.of(t.value()))
                .orElse(List.of());
        RequirementCheck check = RequirementCheck.evaluate(needsRoot, tools, Requirements.isRoot(),
                Requirements.isCi(), tool -> Requirements.findTool(tool) != null);
        switch (check.outcome()) {
            case RUN -> { }
            case SKIP -> Assumptions.abort(check.reason());
            case FAIL -> throw new AssertionError(check.reason());
        }
    }
}
