package dev.cella.net;

/**
 * What a cell did on the network (summed over the cells of one {@link NetAttachment}).
 *
 * @param socketsOpened sockets the guest opened or accepted
 * @param connects connections the guest opened (to a cell or a granted host address)
 * @param accepts connections the guest accepted
 * @param refused connects refused: no listener, or its queue full (ECONNREFUSED)
 * @param denied connects and binds refused for lack of a grant (EACCES), and names not resolved
 * @param quotaRefusals calls refused by a network quota (EMFILE, EAGAIN, EDQUOT)
 * @param bytesOut bytes sent
 * @param bytesIn bytes received
 * @param peakSockets the most sockets open at once
 */
public record NetStats(long socketsOpened, long connects, long accepts, long refused, long denied,
        long quotaRefusals, long bytesOut, long bytesIn, long peakSockets) {
    static final NetStats ZERO = new NetStats(0, 0, 0, 0, 0, 0, 0, 0, 0);

    NetStats plus(NetStats o) {
        return new NetStats(socketsOpened + o.socketsOpened, connects + o.connects, accepts + o.accepts,
                refused + o.refused, denied + o.denied, quotaRefusals + o.quotaRefusals, bytesOut + o.bytesOut,
                bytesIn + o.bytesIn, Math.max(peakSockets, o.peakSockets));
    }
}
