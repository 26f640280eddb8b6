"""Link stability: ping series (loss, RTT, jitter) and counter-delta analysis between polls."""
