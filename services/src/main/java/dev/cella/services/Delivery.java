package dev.cella.services;

/**
 * A message handed to a receiver: acknowledge {@code id} once it is processed, or it is handed
 * out again after the namespace's redelivery timeout.
 *
 * @param id the message's number in its queue (increasing in send order)
 * @param message its bytes
 * @param redelivered whether it was handed out before and not acknowledged in time
 */
public record Delivery(long id, byte[] message, boolean redelivered) {}
