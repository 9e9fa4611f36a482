package org.ddpm4j.runtime.model;

/**
 * A model file breaks the contract: a missing or malformed {@code ddpm.*} key, or an input or
 * output of the wrong name, type or shape. The message names what was expected and what was found.
 */
public final class ModelContractException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public ModelContractException(String message) {
        super(message);
    }
}
