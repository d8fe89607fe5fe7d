package flowdemux.decode;

/** Why a packet could not be put into a flow. Every packet is either in a flow or counted under one of these. */
public enum DropReason
{
    NONE("decoded"),
    UNSUPPORTED_LINK_TYPE("unsupported link type"),
    TRUNCATED_LINK("truncated link-layer header"),
    VLAN_TOO_DEEP("more than 8 stacked VLAN tags"),
    NOT_IP("not IP (ARP, LLDP, ...)"),
    UNSUPPORTED_ENCAPSULATION("unsupported encapsulation (an MPLS pseudowire, ...)"),
    TRUNCATED_IP("truncated IP header"),
    BAD_IP_VERSION("bad IP version"),
    BAD_IP_HEADER_LENGTH("bad IPv4 header length (IHL < 5)"),
    BAD_IP_TOTAL_LENGTH("bad IP total length"),
    BAD_IP_CHECKSUM("bad IPv4 header checksum"),
    BAD_IPV6_EXTENSION("bad IPv6 extension header chain"),
    IPV6_NO_NEXT_HEADER("IPv6 without a next header (a Teredo bubble, ...)"),
    TRUNCATED_TRANSPORT("truncated TCP/UDP/ICMP header"),
    BAD_TCP_DATA_OFFSET("bad TCP data offset"),
    INCOMPLETE_FRAGMENTS("IP fragment of a datagram that never completed");

    private final String description;

    DropReason(final String description)
    {
        this.description = description;
    }

    public String description()
    {
        return description;
    }
}
