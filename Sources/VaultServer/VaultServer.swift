// Transport for the daemon; see DESIGN §3. Grows with the socket API.
