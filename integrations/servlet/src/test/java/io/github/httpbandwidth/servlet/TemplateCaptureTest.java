package io.github.httpbandwidth.servlet;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@link TemplateCapture} takes from the object in Spring's observation-context attribute (the Spring Boot starter's
 * {@code SpringSecurityTest} runs it with Spring's own): a pattern only from a public {@code String getPathPattern()},
 * and never an exception, whatever the attribute holds.
 */
class TemplateCaptureTest {

    public static final class Context {
        public String getPathPattern() {
            return "/jobs/{id}";
        }
    }

    public static final class Failing {
        public String getPathPattern() {
            throw new IllegalStateException("a context that fails");
        }
    }

    public static final class NotAString {
        public Object getPathPattern() {
            return 42;
        }
    }

    @Test
    void aPatternOnlyFromAStringGetPathPatternAndNeverAnException() {
        assertThat(TemplateCapture.observedPattern(new Context())).isEqualTo("/jobs/{id}");
        assertThat(TemplateCapture.observedPattern(null)).isNull();
        assertThat(TemplateCapture.observedPattern(new Failing())).isNull();
        assertThat(TemplateCapture.observedPattern(new NotAString())).isNull();
        assertThat(TemplateCapture.observedPattern("a string has no getPathPattern")).isNull();
    }
}
