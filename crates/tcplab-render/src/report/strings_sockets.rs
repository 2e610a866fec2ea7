//! The sentences of the report's socket section and of its socket diagram
//! (`report::sockets`), one table per language. The section's heading and
//! the sentence for a capture without run metadata are in `Strings`.

use super::strings::{Lang, Plural};

pub struct SocketStrings {
    /// Table columns: whose, local, remote, state, connection.
    pub head: [&'static str; 5],
    pub owner_listening: &'static str,
    pub owner_accepted: &'static str,
    pub owner_client: &'static str,
    pub owner_unknown: &'static str,
    /// A connection of the capture (Wireshark's tcp.stream).
    pub stream: &'static str,
    /// Server sockets, listening ones, port, connected ones, how they
    /// match the clients, the clients' sockets, all sockets.
    pub counted: &'static str,
    pub n_sockets: Plural,
    pub n_listening: Plural,
    pub n_connected: Plural,
    pub one_per_client: &'static str,
    pub only_client: &'static str,
    pub each_client_one: &'static str,
    pub the_client_one: &'static str,
    /// The clients' sockets found (`n_sockets`), for one client and for
    /// several (then also their number).
    pub seen_one: &'static str,
    pub seen_many: &'static str,
    pub explain: &'static str,
    pub numbering: &'static str,
    pub figure_title: &'static str,
    pub figure_caption: &'static str,
    pub title: &'static str,
    pub subtitle: &'static str,
    pub server: &'static str,
    pub client: &'static str,
    pub note_listening: &'static str,
    pub note_accepted: &'static str,
    pub note_client: &'static str,
    pub note_elsewhere: &'static str,
    pub key_connection: &'static str,
    pub key_accept: &'static str,
    pub diagram_caption: &'static str,
}

impl SocketStrings {
    pub fn of(lang: Lang) -> &'static SocketStrings {
        match lang {
            Lang::En => &EN,
            Lang::Es => &ES,
        }
    }
}

pub static EN: SocketStrings = SocketStrings {
    head: ["whose", "local", "remote", "state", "connection"],
    owner_listening: "server: listening socket",
    owner_accepted: "server: connected to client {}",
    owner_client: "client {}",
    owner_unknown: "unknown (address not readable)",
    stream: "stream {}",
    counted: "While the connections were up, the server had {}: {} on port {} and {}{}; {}. {} in all.",
    n_sockets: Plural("{} socket", "{} sockets"),
    n_listening: Plural("{} listening", "{} listening"),
    n_connected: Plural("{} connected", "{} connected"),
    one_per_client: ", one per client",
    only_client: " to its only client",
    each_client_one: "each client had 1, connected to port {}",
    the_client_one: "the client had 1, connected to port {}",
    seen_one: "the table shows {} on the client's side (a client on another machine has its socket in that machine's table)",
    seen_many: "the table shows {} on the side of the {} clients (a client on another machine has its socket in that machine's table)",
    explain: "The server accepts connections on its listening socket, and each `accept()` returns a new socket connected to one client: that is how one server port serves several clients at once.",
    numbering: "Clients are numbered in the order they opened their connections in the capture (their stream); the table is `/proc/net/tcp` as `netstat -tan` shows it.",
    figure_title: "Socket diagram",
    figure_caption: "The server (left) with its listening socket on port {} and one connected socket per client; each client (right) with its own. Each line is a TCP connection between two connected sockets, named by its stream in the capture.",
    title: "Sockets of the server and its clients (exercise 4)",
    subtitle: "server port {} · /proc/net/tcp while the connections were up",
    server: "Server",
    client: "Client {}",
    note_listening: "listening ({})",
    note_accepted: "connected to client {} ({})",
    note_client: "connected to the server ({})",
    note_elsewhere: "not in this machine's table",
    key_connection: "TCP connection",
    key_accept: "accept() returns a connected socket",
    diagram_caption: "Each grey box is a program (the server, each client); each small box is one of its sockets, with its IP:port.",
};

pub static ES: SocketStrings = SocketStrings {
    head: ["de quién", "local", "remoto", "estado", "conexión"],
    owner_listening: "servidor: socket de escucha",
    owner_accepted: "servidor: conectado al cliente {}",
    owner_client: "cliente {}",
    owner_unknown: "desconocido (dirección ilegible)",
    stream: "stream {}",
    counted: "Con las conexiones abiertas, el servidor tenía {}: {} en el puerto {} y {}{}; {}. En total, {}.",
    n_sockets: Plural("{} socket", "{} sockets"),
    n_listening: Plural("{} de escucha", "{} de escucha"),
    n_connected: Plural("{} conectado", "{} conectados"),
    one_per_client: ", uno por cliente",
    only_client: " a su único cliente",
    each_client_one: "cada cliente tenía 1, conectado al puerto {}",
    the_client_one: "el cliente tenía 1, conectado al puerto {}",
    seen_one: "en la tabla hay {} del lado del cliente (un cliente en otra máquina tiene su socket en la tabla de aquella)",
    seen_many: "en la tabla hay {} del lado de los {} clientes (un cliente en otra máquina tiene su socket en la tabla de aquella)",
    explain: "El servidor acepta las conexiones en su socket de escucha, y cada `accept()` devuelve un socket nuevo conectado a un cliente: así un mismo puerto del servidor atiende a varios clientes a la vez.",
    numbering: "Los clientes van numerados en el orden en que abrieron su conexión en la captura (su stream); la tabla es la de `/proc/net/tcp`, como la muestra `netstat -tan`.",
    figure_title: "Diagrama de sockets",
    figure_caption: "El servidor (izquierda) con su socket de escucha en el puerto {} y un socket conectado por cliente; cada cliente (derecha) con el suyo. Cada línea es una conexión TCP entre dos sockets conectados, con su stream en la captura.",
    title: "Sockets del servidor y de sus clientes (ejercicio 4)",
    subtitle: "puerto del servidor {} · /proc/net/tcp con las conexiones abiertas",
    server: "Servidor",
    client: "Cliente {}",
    note_listening: "de escucha ({})",
    note_accepted: "conectado al cliente {} ({})",
    note_client: "conectado al servidor ({})",
    note_elsewhere: "no está en la tabla de esta máquina",
    key_connection: "conexión TCP",
    key_accept: "accept() devuelve un socket conectado",
    diagram_caption: "Cada caja gris es un programa (el servidor, cada cliente); cada caja pequeña, uno de sus sockets, con su IP:puerto.",
};

#[cfg(test)]
mod tests {
    use crate::plot::lang::table_check::assert_same_holes;

    #[test]
    fn both_languages_take_the_same_values() {
        assert_same_holes(include_str!("strings_sockets.rs"), "SocketStrings", 20);
    }
}
