package org.cunicu4j.testlab;

/** Setting up or tearing down a lab failed; the message names the command and its error. */
public class LabException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public LabException(String message) {
        super(message);
    }

    public LabException(String message, Throwable cause) {
        super(message, cause);
    }
}
