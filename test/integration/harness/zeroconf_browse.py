# An independent mDNS implementation (Debian's python3-zeroconf) looking for Troupe agents:
# prints each _troupe._tcp service it resolves, with its TXT record, as one JSON line.
import json, sys, time
from zeroconf import ServiceBrowser, Zeroconf, InterfaceChoice

iface = sys.argv[1] if len(sys.argv) > 1 else None
zc = Zeroconf(interfaces=[iface] if iface else InterfaceChoice.All)
found = {}

class Listener:
    def add_service(self, zc, type_, name):
        info = zc.get_service_info(type_, name, timeout=3000)
        if info:
            found[name] = {
                "name": name,
                "port": info.port,
                "addresses": info.parsed_addresses(),
                "txt": {k.decode(): (v.decode() if v is not None else None) for k, v in info.properties.items()},
            }
    def update_service(self, zc, type_, name):
        pass
    def remove_service(self, zc, type_, name):
        pass

ServiceBrowser(zc, "_troupe._tcp.local.", Listener())
deadline = time.time() + float(sys.argv[2] if len(sys.argv) > 2 else 4)
while time.time() < deadline and not found:
    time.sleep(0.05)
time.sleep(0.3)
zc.close()
print(json.dumps(list(found.values())))
