// The NestJS 12 server of the benchmark: the same gateways and handlers as the Rust servers (the
// main one on `/`, ten handlers on `/ten`; the ordered burst is measured on the Rust servers only).
// Plain JavaScript (no compile step): the decorators are applied by hand, exactly as TypeScript
// would apply them. Prints `PORT=<n>` once listening on 127.0.0.1 (port 0: any free one).
import 'reflect-metadata';
import { Module, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { IsInt, IsString, Length, Max, Min } from 'class-validator';

// The DTO of `echo-validated`: the rules of the Rust servers' `EchoDto`.
// class EchoDto { @IsInt() @Min(0) @Max(1000000) n; @IsString() @Length(1, 200) text; }
class EchoDto {}
Reflect.decorate([IsInt(), Min(0), Max(1_000_000)], EchoDto.prototype, 'n', undefined);
Reflect.decorate([IsString(), Length(1, 200)], EchoDto.prototype, 'text', undefined);

class BenchGateway {
  // @SubscribeMessage('echo') echo(@MessageBody() body) -> WsResponse
  echo(body) {
    return { event: 'echo', data: body };
  }

  // @SubscribeMessage('echo-ack') echoAck(@MessageBody() body) -> the ack
  echoAck(body) {
    return body;
  }

  // @SubscribeMessage('echo-validated')
  // echoValidated(@MessageBody(new ValidationPipe()) body: EchoDto) -> WsResponse
  echoValidated(body) {
    return { event: 'echo', data: body };
  }

  // @SubscribeMessage('join') join(@MessageBody() room, @ConnectedSocket() client) -> ack true
  join(room, client) {
    client.join(room);
    return true;
  }

  // @SubscribeMessage('fanout') fanout(@MessageBody() body, @ConnectedSocket() client)
  fanout(body, client) {
    client.to('fanout').emit('fanout', body);
  }
}

// `types`: the parameters' `design:paramtypes` (what TypeScript emits; `Object` by default).
function method(cls, name, event, params, types = params.map(() => Object)) {
  const proto = cls.prototype;
  // Parameter decorators first (TypeScript's order), then the method decorator.
  params.forEach((decorator, index) => decorator(proto, name, index));
  const descriptor = Object.getOwnPropertyDescriptor(proto, name);
  const decorated = Reflect.decorate([SubscribeMessage(event)], proto, name, descriptor);
  if (decorated) Object.defineProperty(proto, name, decorated);
  Reflect.defineMetadata('design:paramtypes', types, proto, name);
}

method(BenchGateway, 'echo', 'echo', [MessageBody()]);
method(BenchGateway, 'echoAck', 'echo-ack', [MessageBody()]);
method(
  BenchGateway,
  'echoValidated',
  'echo-validated',
  [MessageBody(new ValidationPipe())],
  [EchoDto],
);
method(BenchGateway, 'join', 'join', [MessageBody(), ConnectedSocket()]);
method(BenchGateway, 'fanout', 'fanout', [MessageBody(), ConnectedSocket()]);
const Gateway = Reflect.decorate([WebSocketGateway()], BenchGateway);
Reflect.defineMetadata('design:paramtypes', [], Gateway);

// The gateway of `idle-ten-*`: ten handlers on namespace `/ten`, `e0` to `e9`, each acking its
// body, as the Rust servers have them.
// @WebSocketGateway({ namespace: '/ten' }) class TenGateway { @SubscribeMessage('e0') e0(@MessageBody() body) { return body; } ... }
class TenGateway {
  e0(body) {
    return body;
  }
  e1(body) {
    return body;
  }
  e2(body) {
    return body;
  }
  e3(body) {
    return body;
  }
  e4(body) {
    return body;
  }
  e5(body) {
    return body;
  }
  e6(body) {
    return body;
  }
  e7(body) {
    return body;
  }
  e8(body) {
    return body;
  }
  e9(body) {
    return body;
  }
}
for (const name of ['e0', 'e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7', 'e8', 'e9']) {
  method(TenGateway, name, name, [MessageBody()]);
}
const Ten = Reflect.decorate([WebSocketGateway({ namespace: '/ten' })], TenGateway);
Reflect.defineMetadata('design:paramtypes', [], Ten);

class BenchModule {}
const AppModule = Reflect.decorate([Module({ providers: [Gateway, Ten] })], BenchModule);

const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });
app.useWebSocketAdapter(new IoAdapter(app));
app.enableShutdownHooks();
await app.listen(0, '127.0.0.1');
const { port } = app.getHttpServer().address();
console.log(`PORT=${port}`);
