/**
 * IPv4 CIDR parsing, shared by the config schema and the components' own argument checks. Pure functions, no
 * dependencies.
 *
 * AWS accepts only the network address of a block in security group rules and VPC CIDRs
 * (`203.0.113.10/24` is "not a valid CIDR"), so a block with host bits set is refused here
 * with the canonical form as a hint, instead of failing half-way through `pulumi up`.
 */

export interface Ipv4Cidr {
    /** The address as a 32-bit unsigned number. */
    readonly address: number;
    readonly prefix: number;
}

const CIDR_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Parses `a.b.c.d/n`; returns a human-readable problem instead of throwing. */
export function parseIpv4Cidr(text: string): Ipv4Cidr | string {
    const match = CIDR_PATTERN.exec(text);
    if (!match) {
        return "must be an IPv4 CIDR block such as 203.0.113.10/32";
    }
    // 010 is 10 to some readers and 8 (octal) to others: AWS and this parser take no leading zeros.
    if (match.slice(1, 6).some((part) => part.length > 1 && part.startsWith("0"))) {
        return "must be an IPv4 CIDR block written without leading zeros, such as 10.0.0.0/16";
    }
    const octets = match.slice(1, 5).map(Number);
    const prefix = Number(match[5]);
    if (octets.some((o) => o > 255) || prefix > 32) {
        return "must be an IPv4 CIDR block: four octets 0-255 and a prefix length 0-32";
    }
    const address = octets.reduce((acc, o) => acc * 256 + o, 0);
    const cidr = { address, prefix };
    const network = networkAddress(cidr);
    if (network !== address) {
        return `has host bits set; the block is ${formatIpv4(network)}/${prefix}`;
    }
    return cidr;
}

function networkAddress(cidr: Ipv4Cidr): number {
    const size = 2 ** (32 - cidr.prefix);
    return Math.floor(cidr.address / size) * size;
}

export function formatIpv4(address: number): string {
    return [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join(".");
}
