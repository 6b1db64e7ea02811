# The commands of Troupe's kept-alive Blender session (session_server.py), one module each.
